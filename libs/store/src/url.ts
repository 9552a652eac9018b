// Parsing a postgres:// URL into the fields pg takes, so the password travels as pg's hidden
// `password` field and never as a connection string kept on the pool (pg hides the former from
// console.log and stack traces, not the latter). Everything shown to a human goes through
// `redactDatabaseUrl` or `maskDatabaseText`.

import { maskSecrets } from '@bourse/telemetry';
import { StoreError, StoreErrorCode } from './errors.js';

/** The server the test and local defaults point at (trust auth, loopback). */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bourse';

// libpq's `prefer` (try TLS, fall back to plain) has no pg equivalent, so it is refused, not faked.
const SSL_MODES = ['disable', 'require', 'no-verify', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

// Query parameters we understand; anything else is refused so a typo is not silently ignored.
const KNOWN_PARAMS = new Set(['sslmode', 'application_name', 'host']);

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer names are truncated silently. */
const MAX_IDENTIFIER_BYTES = 63;

export interface DatabaseUrl {
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  /** Undefined when the URL has none (trust or peer auth, or PGPASSWORD). */
  readonly password: string | undefined;
  readonly database: string;
  readonly sslMode: SslMode | undefined;
  readonly applicationName: string | undefined;
  /** The URL with the password replaced by `***`, safe for logs and errors. */
  readonly redacted: string;
}

function invalid(redacted: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(StoreErrorCode.INVALID_URL, `database URL ${redacted} ${detail}`, redacted, { cause });
}

/** Replaces the password of a URL-looking string by `***`; unparseable input is masked by pattern. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: mask whatever secret-shaped text it holds rather than echo it.
    return maskSecrets(url);
  }
}

/**
 * Parses `postgres://user:password@host:port/database?sslmode=…&application_name=…`. The database
 * name is required: every Bourse service names its own.
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StoreError(StoreErrorCode.INVALID_URL, 'database URL is empty; set DATABASE_URL', '');
  }
  const redacted = redactDatabaseUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause on purpose: Node's TypeError keeps the raw input, password and all, in `input`.
    throw invalid(redacted, 'is not a URL (expected postgres://user:password@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(redacted, `has protocol ${parsed.protocol}; expected postgres: or postgresql:`);
  }
  for (const key of parsed.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) {
      throw invalid(redacted, `has unsupported parameter "${key}" (supported: ${[...KNOWN_PARAMS].join(', ')})`);
    }
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw invalid(redacted, 'must name one database in its path, e.g. postgres://host:5432/bourse');
  }
  if (Buffer.byteLength(database, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw invalid(redacted, `names a database longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  const sslParam = parsed.searchParams.get('sslmode') ?? undefined;
  if (sslParam !== undefined && !(SSL_MODES as readonly string[]).includes(sslParam)) {
    throw invalid(redacted, `has sslmode "${sslParam}"; expected one of ${SSL_MODES.join(', ')}`);
  }
  // A socket directory may come as ?host=/var/run/postgresql with an empty URL host.
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (host === '') throw invalid(redacted, 'has no host');
  return {
    host,
    port,
    user: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database,
    sslMode: sslParam as SslMode | undefined,
    applicationName: parsed.searchParams.get('application_name') ?? undefined,
    redacted,
  };
}

/** The same server and credentials, another database (the `postgres` maintenance database, a test database). */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

// Literal replacement of very short passwords would mask ordinary words all over a line; the URL
// pattern in maskSecrets still masks them where they appear as a URL's userinfo.
const MIN_LITERAL_MASK = 4;

/** Masks the URL's password (raw, URL-encoded and JSON-escaped) and every secret pattern in `text`. */
export function maskDatabaseText(text: string, password: string | undefined): string {
  let out = text;
  if (password !== undefined && password.length >= MIN_LITERAL_MASK) {
    for (const form of new Set([password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)])) {
      out = out.split(form).join('***');
    }
  }
  return maskSecrets(out);
}

/** pg's `ssl` option for an sslmode; undefined leaves pg's default (no TLS). */
export function sslOption(mode: SslMode | undefined): boolean | { rejectUnauthorized: boolean } | undefined {
  switch (mode) {
    case undefined:
      return undefined;
    case 'disable':
      return false;
    case 'require':
    case 'no-verify':
      // libpq's require does not verify the certificate either; verify-full does.
      return { rejectUnauthorized: false };
    case 'verify-full':
      return true;
  }
}
