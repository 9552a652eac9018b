// When `bourse start` runs its own nats-server, it runs it with permissions on: one NATS user per
// service (libs/bus permissions.ts says what each may publish and subscribe to) and the operator
// user the CLI's acts need. The passwords are random, made once and kept in the git-ignored
// `.bourse/` folder (owner-only), never in code; each service gets its own through its environment.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUS_ROLES, renderNatsAuthorization, type BusCredentials, type BusRole } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { z } from 'zod';
import { NatsUsersFileError } from './errors.js';

export const NATS_USERS_FILE = 'nats-users.json';
export const NATS_AUTH_CONFIG_FILE = 'nats-auth.conf';

export type NatsPasswords = Readonly<Record<BusRole, string>>;

const Stored = z.strictObject(
  Object.fromEntries(BUS_ROLES.map((r) => [r, z.string().min(16)])) as Record<BusRole, z.ZodString>,
);

function readStored(file: string): NatsPasswords {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new NatsUsersFileError(file, `${file} is not valid JSON; delete it to make new NATS passwords`, { cause });
  }
  const stored = Stored.safeParse(parsed);
  if (!stored.success) {
    throw new NatsUsersFileError(
      file,
      `${file} does not hold a password for every service; delete it to make new ones`,
    );
  }
  return stored.data;
}

/** The stored passwords, else new random ones written to `<stateDir>/nats-users.json` (mode 0600). */
export function ensureNatsUsers(stateDir: string): NatsPasswords {
  const file = join(stateDir, NATS_USERS_FILE);
  if (existsSync(file)) return readStored(file);
  const created = Object.fromEntries(BUS_ROLES.map((r) => [r, randomBytes(24).toString('hex')])) as Record<
    BusRole,
    string
  >;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return created;
}

/** Writes the nats-server authorization config for the namespace (owner-only: it holds the passwords). */
export function writeNatsAuthConfig(stateDir: string, namespace: string, passwords: NatsPasswords): string {
  const file = join(stateDir, NATS_AUTH_CONFIG_FILE);
  const users = Object.fromEntries(BUS_ROLES.map((r) => [r, { user: r, password: passwords[r] }]));
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, renderNatsAuthorization(createSubjects(namespace), users), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The operator's credentials stored by `bourse start`, for the CLI's acts; undefined when none are stored. */
export function storedOperatorCredentials(stateDir: string): BusCredentials | undefined {
  const file = join(stateDir, NATS_USERS_FILE);
  if (!existsSync(file)) return undefined;
  return { user: 'operator', pass: readStored(file).operator };
}

/** NATS_USER / NATS_PASSWORD of a platform service; none for a process that does not use NATS (the sim). */
export function natsEnvOf(service: string, passwords: NatsPasswords): Record<string, string> {
  if (!(BUS_ROLES as readonly string[]).includes(service) || service === 'operator') return {};
  return { NATS_USER: service, NATS_PASSWORD: passwords[service as BusRole] };
}
