// Secret masking for everything we write out: log lines, readiness reasons, error texts.
// Two nets, because either alone leaks: key names catch a secret stored under an obvious field
// (`{ apiKey }`), value masking catches a secret that travelled into free text (an error message
// quoting a DSN, a URL with `signature=` in a stack trace, a registered key echoed by a venue).

import { pino } from 'pino';
import { TelemetryError, TelemetryErrorCode } from './errors.js';

/** What replaces a secret, in values and inside text alike. */
export const MASK = '***';

/**
 * Shorter values would mask ordinary words all over every line; real keys, passwords and tokens
 * are far longer. A URL password is masked by pattern whatever its length.
 */
export const MIN_SECRET_LENGTH = 4;

const MAX_DEPTH = 10;

// Normalised (lower case, no `-`/`_`) key names whose value is always a secret.
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'passwd',
  'pwd',
  'credentials',
  'secretkey',
  'privatekey',
]);
// Any key ending in one of these is a secret too: dbPassword, clientSecret, X-MBX-APIKEY, refreshToken.
const SECRET_KEY_SUFFIXES = ['password', 'secret', 'apikey', 'token', 'signature', 'listenkey'];

/** True when a field with this name holds a secret, whatever its value. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_KEYS.has(k) || SECRET_KEY_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

// Each pattern also works on a serialised JSON line (a `"` ends a value), so the same list guards
// objects before serialisation and the final line before it is written.
const TEXT_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // The password in a URL's userinfo: postgres://user:pw@host → postgres://user:***@host.
  [/(\/\/[^\s:/?#@"'\\]*:)[^\s/?#"'\\]*@/g, `$1${MASK}@`],
  // Secret query/form parameters and libpq keywords: signature=…, listenKey=…, password=…, access_token=….
  [/\b(\w*?(?:signature|listenkey|api_?key|api_?secret|secret|password|passwd|token))=[^&\s"'\\#;,]*/gi, `$1=${MASK}`],
  // Header-like text: `X-MBX-APIKEY: …`, `Authorization: Bearer …`.
  [
    /\b(x-mbx-apikey|(?:proxy-)?authorization)(\\?["']?\s*[:=]\s*\\?["']?)(?:(?:bearer|basic)\s+)?[^\s"'\\,;}]+/gi,
    `$1$2${MASK}`,
  ],
  // JSON text quoted inside a string: {"apiKey":"…"}, also with escaped quotes.
  [
    /(\\?"\w*?(?:api_?key|api_?secret|secret|password|signature|listen_?key|token)\\?"\s*:\s*\\?")[^"\\]*/gi,
    `$1${MASK}`,
  ],
  // Binance user-data stream URLs carry the 60-character listen key as a path segment.
  [/(\/ws\/)[A-Za-z0-9]{60}(?![A-Za-z0-9])/g, `$1${MASK}`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Masks known secret values and secret-shaped patterns in text, and redacts secrets by key in
 * objects. One process-wide instance (`secretMasker`) backs the loggers; tests may build their own.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private compiled: RegExp | undefined;

  /** Adds a value (an API key, a password) to be masked wherever it appears from now on. */
  register(value: string): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
      // The value itself stays out of the error: it is the secret.
      throw new TelemetryError(
        TelemetryErrorCode.INVALID_OPTION,
        `a secret must be a string of at least ${MIN_SECRET_LENGTH} characters to be masked`,
        { length: typeof value === 'string' ? value.length : undefined },
      );
    }
    const before = this.values.size;
    // The same secret as it appears inside a JSON string and inside a URL query.
    for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
      this.values.add(form);
    }
    if (this.values.size !== before) this.compiled = undefined;
  }

  /** Number of distinct forms registered (for tests and diagnostics; never the values). */
  get size(): number {
    return this.values.size;
  }

  /** Returns `text` with every registered secret and secret pattern replaced by `***`. */
  mask(text: string): string {
    let out = text;
    const known = this.knownValues();
    if (known) out = out.replace(known, MASK);
    for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /**
   * A copy of `value` safe to write out: secret keys masked at any depth, strings masked, errors
   * turned into plain `{ type, message, stack, cause, … }` objects (masked too), cycles cut.
   */
  redact(value: unknown): unknown {
    return this.walk(value, 0, new Set());
  }

  private knownValues(): RegExp | undefined {
    if (this.values.size === 0) return undefined;
    // Longest first, so a secret that contains another is masked whole.
    this.compiled ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return this.compiled;
  }

  private walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (value === null || typeof value !== 'object') return value;
    if (ancestors.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (value instanceof Error) return this.walk(pino.stdSerializers.err(value), depth, ancestors);
    ancestors.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1, ancestors));
      if (value instanceof Map) return this.walk(Object.fromEntries(value), depth, ancestors);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.walk(toJSON.call(value), depth + 1, ancestors);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] =
          isSecretKey(key) && item !== undefined && item !== null ? MASK : this.walk(item, depth + 1, ancestors);
      }
      return out;
    } finally {
      ancestors.delete(value);
    }
  }
}

/** The process-wide masker every logger from `createLogger` uses. */
export const secretMasker = new SecretMasker();

/** Registers a secret value (from config, at start or on key rotation) to be masked in all output. */
export function registerSecret(value: string): void {
  secretMasker.register(value);
}

/** Masks registered secrets and secret patterns in `text` (for error texts, readiness reasons, dead-letter reasons). */
export function maskSecrets(text: string): string {
  return secretMasker.mask(text);
}

/** A copy of `value` with secrets masked by key and by value at any depth. */
export function redactSecrets(value: unknown): unknown {
  return secretMasker.redact(value);
}
