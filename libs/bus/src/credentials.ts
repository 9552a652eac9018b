import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator } from '@nats-io/transport-node';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { BusError, BusErrorCode } from './errors.js';
import type { BusCredentials } from './types.js';

// NATS credentials come from files or the environment, never from code. A deployment gives each
// service its own user (libs/bus/src/permissions.ts says what each may do).

/**
 * Credentials named by the environment: `NATS_CREDS` (path of a .creds file), `NATS_NKEY_SEED_FILE`,
 * `NATS_USER` with `NATS_PASSWORD` or `NATS_PASSWORD_FILE`, or `NATS_TOKEN`. Undefined when none is set.
 */
export function busCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): BusCredentials | undefined {
  const set = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  if (set('NATS_CREDS') !== undefined) return { credsFile: set('NATS_CREDS')! };
  if (set('NATS_NKEY_SEED_FILE') !== undefined) return { nkeySeedFile: set('NATS_NKEY_SEED_FILE')! };
  const user = set('NATS_USER');
  if (user !== undefined) {
    const passwordFile = set('NATS_PASSWORD_FILE');
    const pass = passwordFile !== undefined ? readSecret('NATS_PASSWORD_FILE', passwordFile) : set('NATS_PASSWORD');
    return { user, ...(pass !== undefined ? { pass } : {}) };
  }
  const token = set('NATS_TOKEN');
  return token !== undefined ? { token } : undefined;
}

function readSecret(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    // The path is not secret; the file's content never reaches the message.
    throw new BusError(
      BusErrorCode.InvalidOption,
      option,
      `${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      { cause: err },
    );
  }
}

/** The nats.js connection options that carry the credentials. */
export function natsAuthOptions(credentials: BusCredentials | undefined): Partial<NodeConnectionOptions> {
  if (credentials === undefined) return {};
  if (credentials.credsFile !== undefined) {
    return {
      authenticator: credsAuthenticator(new TextEncoder().encode(readSecret('credsFile', credentials.credsFile))),
    };
  }
  if (credentials.nkeySeedFile !== undefined) {
    return {
      authenticator: nkeyAuthenticator(new TextEncoder().encode(readSecret('nkeySeedFile', credentials.nkeySeedFile))),
    };
  }
  return {
    ...(credentials.token !== undefined ? { token: credentials.token } : {}),
    ...(credentials.user !== undefined ? { user: credentials.user } : {}),
    ...(credentials.pass !== undefined ? { pass: credentials.pass } : {}),
  };
}
