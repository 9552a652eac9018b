import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';
import type { VenueClock } from '@bourse/venues';
import type { BinanceTargetName } from './config.js';
import { ed25519Signer, hmacSigner, type KeyType, type RequestSigner } from './signing.js';

// Keys come from the environment or a mounted secret file, one pair per target. The file is
// re-read when it changes so keys rotate without a restart. Nothing here ever prints a key.

const REDACTED = '[redacted]';

/** An API key and its signer. Prints as `[redacted]` through toString, JSON and util.inspect. */
export class ApiCredentials {
  readonly #apiKey: string;
  readonly #signer: RequestSigner;
  constructor(
    apiKey: string,
    signer: RequestSigner,
    /** A read-only key is enough for market data and reconciliation; order calls refuse it early. */
    readonly readOnly: boolean,
  ) {
    this.#apiKey = apiKey;
    this.#signer = signer;
  }
  get apiKey(): string {
    return this.#apiKey;
  }
  get keyType(): KeyType {
    return this.#signer.keyType;
  }
  sign(payload: string): string {
    return this.#signer.sign(payload);
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `ApiCredentials(${this.keyType}${this.readOnly ? ', read-only' : ''}, ${REDACTED})`;
  }
}

export interface CredentialsProvider {
  /** The current credentials; re-reads the secret file when it changed. */
  current(): ApiCredentials;
  /** Where they came from, for logs: `env:BINANCE_SIM_API_KEY` or `file:/run/secrets/binance`. Never the value. */
  readonly source: string;
}

export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  readonly code = 'MISSING_CREDENTIALS';
  constructor(
    readonly target: BinanceTargetName,
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    super(`no Binance ${target} credentials: ${expected}`, options);
  }
}

const SecretFile = z
  .object({
    apiKey: z.string().min(1),
    apiSecret: z.string().min(1).optional(),
    privateKeyPem: z.string().min(1).optional(),
    readOnly: z.boolean().default(false),
  })
  .refine((f) => (f.apiSecret === undefined) !== (f.privateKeyPem === undefined), {
    message: 'give exactly one of apiSecret (HMAC) or privateKeyPem (Ed25519)',
  });

/** `BINANCE_SIM_API_KEY`, `BINANCE_TESTNET_API_SECRET`… */
export function credentialEnvNames(target: BinanceTargetName): {
  apiKey: string;
  apiSecret: string;
  privateKeyPem: string;
  readOnly: string;
} {
  const prefix = `BINANCE_${target.toUpperCase()}_`;
  return {
    apiKey: `${prefix}API_KEY`,
    apiSecret: `${prefix}API_SECRET`,
    privateKeyPem: `${prefix}PRIVATE_KEY_PEM`,
    readOnly: `${prefix}READ_ONLY`,
  };
}

function build(
  apiKey: string,
  apiSecret: string | undefined,
  pem: string | undefined,
  readOnly: boolean,
): ApiCredentials {
  const signer = pem !== undefined ? ed25519Signer(pem) : hmacSigner(apiSecret ?? '');
  return new ApiCredentials(apiKey, signer, readOnly);
}

export interface LoadApiCredentialsOptions {
  target: BinanceTargetName;
  /** Usually `process.env`, passed in by the service's config module. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A JSON file `{ apiKey, apiSecret | privateKeyPem, readOnly? }`, e.g. a mounted Kubernetes secret. Wins over env. */
  secretFile?: string;
  clock?: VenueClock;
  /** How often at most the file's change time is checked. */
  recheckMs?: number;
  /** Told when a re-read fails and the last good credentials stay in use. */
  onReadError?: (err: Error) => void;
}

/** Credentials for one target from a secret file (re-read when it changes) or the environment. */
export function loadApiCredentials(options: LoadApiCredentialsOptions): CredentialsProvider {
  const { target } = options;
  if (options.secretFile !== undefined) return fileProvider(target, options.secretFile, options);
  const names = credentialEnvNames(target);
  const env = options.env ?? {};
  const apiKey = env[names.apiKey];
  const apiSecret = env[names.apiSecret] || undefined;
  const pem = env[names.privateKeyPem] || undefined;
  if (!apiKey || (apiSecret === undefined && pem === undefined)) {
    throw new MissingCredentialsError(
      target,
      `set ${names.apiKey} and ${names.apiSecret} (HMAC) or ${names.privateKeyPem} (Ed25519), or mount a secret file`,
    );
  }
  if (apiSecret !== undefined && pem !== undefined) {
    throw new MissingCredentialsError(target, `set only one of ${names.apiSecret} or ${names.privateKeyPem}`);
  }
  const creds = build(apiKey, apiSecret, pem, env[names.readOnly] === 'true');
  return { current: () => creds, source: `env:${names.apiKey}` };
}

function fileProvider(
  target: BinanceTargetName,
  path: string,
  options: LoadApiCredentialsOptions,
): CredentialsProvider {
  const clock = options.clock ?? { now: () => Date.now() };
  const recheckMs = options.recheckMs ?? 1_000;
  let stamp = '';
  let creds: ApiCredentials | undefined;
  let checkedAt = -Infinity;

  const read = (): ApiCredentials => {
    let text: string;
    let nextStamp: string;
    try {
      // Kubernetes swaps a symlink on rotation; stat follows it, so the stamp changes.
      const st = statSync(path);
      nextStamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (creds !== undefined && nextStamp === stamp) return creds;
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new MissingCredentialsError(target, `cannot read secret file ${path}`, { cause: err });
    }
    let parsed: z.infer<typeof SecretFile>;
    try {
      parsed = SecretFile.parse(JSON.parse(text));
    } catch (err) {
      // Neither the file's text nor zod's issue values may appear in the message: they hold the secret.
      const detail =
        err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
          : 'not JSON';
      throw new MissingCredentialsError(target, `secret file ${path} is invalid (${detail})`);
    }
    creds = build(parsed.apiKey, parsed.apiSecret, parsed.privateKeyPem, parsed.readOnly);
    stamp = nextStamp;
    return creds;
  };

  read();
  return {
    source: `file:${path}`,
    current: () => {
      const now = clock.now();
      if (creds !== undefined && now - checkedAt < recheckMs) return creds;
      checkedAt = now;
      try {
        return read();
      } catch (err) {
        // A half-written file during rotation must not stop trading: keep the last good key.
        if (creds === undefined || !(err instanceof Error)) throw err;
        options.onReadError?.(err);
        return creds;
      }
    },
  };
}
