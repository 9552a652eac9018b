// Pure helpers over the server URLs: where they point, and how to show them without secrets.

export type ServerKind = 'nats' | 'postgres' | 'redis';

export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'nats:': 4222,
  'tls:': 4222,
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
};

export const PROTOCOLS: Readonly<Record<ServerKind, readonly string[]>> = {
  nats: ['nats:', 'tls:'],
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
};

const MASK = '***';

// user:password@ right after a scheme; used where a string is not a parseable URL (or is a
// message that quotes one), so nothing that looks like a credential is printed. A scheme starts
// only where no scheme character precedes it: without that, a long run of letters is rescanned from
// every position (quadratic: a 70 kB value took seconds).
const CREDENTIALS_IN_TEXT = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]*)@/gi;

/** The URL with its password replaced by `***`; text that is not a URL gets the same treatment by pattern. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(CREDENTIALS_IN_TEXT, `$1:${MASK}@`);
  }
  if (parsed.password === '') return url.replace(CREDENTIALS_IN_TEXT, `$1:${MASK}@`);
  parsed.password = MASK;
  return parsed.toString();
}

/** Every form in which a URL's password could appear in a message: as written and decoded. */
export function passwordsOf(urls: readonly string[]): string[] {
  const found = new Set<string>();
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      for (const match of url.matchAll(CREDENTIALS_IN_TEXT)) if (match[2]) found.add(match[2]);
      continue;
    }
    if (parsed.password === '') continue;
    found.add(parsed.password);
    try {
      found.add(decodeURIComponent(parsed.password));
    } catch {
      // A stray % leaves the password undecodable; its written form is already in the set.
    }
  }
  return [...found].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

/** Masks credentials in URLs quoted by the text, and every literal occurrence of the given secrets. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(CREDENTIALS_IN_TEXT, `$1:${MASK}@`);
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Host and port the URL points at, with the protocol's default port filled in. */
export function endpointOf(url: string): Endpoint {
  const parsed = new URL(url);
  const fallback = DEFAULT_PORTS[parsed.protocol] ?? 0;
  const port = parsed.port === '' ? fallback : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** Only servers on this machine are ones `bourse start` may start. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The database a PostgreSQL URL names; like libpq, the user name when the path is empty. */
export function databaseNameOf(url: string): string {
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (path !== '') return path;
  return parsed.username === '' ? 'postgres' : decodeURIComponent(parsed.username);
}

/** The user a PostgreSQL URL connects as (libpq would fall back to the OS user; we say `postgres`). */
export function userNameOf(url: string): string {
  const parsed = new URL(url);
  return parsed.username === '' ? 'postgres' : decodeURIComponent(parsed.username);
}

/** The same PostgreSQL URL pointing at another database (for the maintenance connection). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Why `value` is not a usable URL for `kind`, or undefined when it is. */
export function urlProblem(kind: ServerKind, value: string): string | undefined {
  const allowed = PROTOCOLS[kind];
  const example = `${allowed[0]}//host:port`;
  if (value.trim() === '') return `is empty; expected a URL like ${example}`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `is not a valid URL (expected ${example})`;
  }
  if (!allowed.includes(parsed.protocol)) {
    return `has protocol "${parsed.protocol}"; expected one of ${allowed.map((p) => `${p}//`).join(', ')}`;
  }
  if (parsed.hostname === '') return `has no host (expected ${example})`;
  if (parsed.port !== '' && Number(parsed.port) === 0) return 'has port 0';
  return undefined;
}
