// The exchange simulator needs an API key pair, and so does every service that trades against
// it. A newcomer's `pnpm start` should not first have to invent one, and no key may live in code:
// so when none is given in the environment, `bourse start` makes a random pair once and keeps it
// in the git-ignored `.bourse/` folder (readable by the owner only), where it survives restarts
// and the simulator's saved accounts stay reachable.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

export interface SimCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Where the pair came from, for the log line (never the values themselves). */
  readonly source: 'environment' | 'created' | 'stored';
}

const StoredCredentials = z.strictObject({ apiKey: z.string().min(16), apiSecret: z.string().min(32) });

export const SIM_CREDENTIALS_FILE = 'sim-credentials.json';
/** The second pair, on the same sim account, that may read but not place or cancel orders. */
export const SIM_READONLY_CREDENTIALS_FILE = 'sim-readonly-credentials.json';

/** Which of the two pairs: the trading pair, or the read-only pair for the services that only read. */
export type SimKeyKind = 'trading' | 'read-only';

const KINDS: Readonly<Record<SimKeyKind, { file: string; keyEnv: string; secretEnv: string }>> = {
  trading: { file: SIM_CREDENTIALS_FILE, keyEnv: 'BOURSE_SIM_API_KEY', secretEnv: 'BOURSE_SIM_API_SECRET' },
  'read-only': {
    file: SIM_READONLY_CREDENTIALS_FILE,
    keyEnv: 'BOURSE_SIM_READONLY_API_KEY',
    secretEnv: 'BOURSE_SIM_READONLY_API_SECRET',
  },
};

/**
 * A sim key pair (`kind`, the trading one by default): the one given in the environment when both halves are set, else the one stored
 * under `stateDir`, else a new random pair written there. Throws ConfigError when only one half is
 * given or the stored file is unreadable, naming the file and never the secret.
 */
export function ensureSimCredentials(
  stateDir: string,
  given: { apiKey?: string | undefined; apiSecret?: string | undefined },
  kind: SimKeyKind = 'trading',
): SimCredentials {
  const { file: fileName, keyEnv, secretEnv } = KINDS[kind];
  if (given.apiKey !== undefined || given.apiSecret !== undefined) {
    if (given.apiKey === undefined || given.apiSecret === undefined) {
      const missing = given.apiKey === undefined ? keyEnv : secretEnv;
      throw new ConfigError(missing, '(unset)', `${missing} is unset while its other half is set; set both or neither`);
    }
    return { apiKey: given.apiKey, apiSecret: given.apiSecret, source: 'environment' };
  }
  const file = join(stateDir, fileName);
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new ConfigError(file, file, `${file} is not valid JSON; delete it to make a new sim key pair`, { cause });
    }
    const stored = StoredCredentials.safeParse(parsed);
    if (!stored.success) {
      throw new ConfigError(file, file, `${file} does not hold an apiKey and apiSecret; delete it to make a new pair`);
    }
    return { ...stored.data, source: 'stored' };
  }
  const created = { apiKey: randomBytes(24).toString('hex'), apiSecret: randomBytes(32).toString('hex') };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...created, source: 'created' };
}
