// The sim's process configuration: command-line flags plus BOURSE_SIM_API_KEY / BOURSE_SIM_API_SECRET.
// The only module that reads process.env. Fails early, naming the flag or variable that is wrong.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isDecimalText, normalise } from './binance-numbers.js';
import { KNOWN_SYMBOLS, DEFAULT_SYMBOLS } from './exchange-info.js';
import { parseFaultSpec, type FaultSpec } from './faults.js';
import { DEFAULT_BALANCES, DEFAULT_MARKET_ACTIVITY, type BalanceMap, type ExchangeSimOptions } from './types.js';

export const DEFAULT_PORT = 8090;
export const DEFAULT_HOST = '127.0.0.1';
export const API_KEY_ENV = 'BOURSE_SIM_API_KEY';
export const API_SECRET_ENV = 'BOURSE_SIM_API_SECRET';
/** Instead of the secret: the Ed25519 public key (SPKI PEM) of an Ed25519 API key, as Binance registers one. */
export const API_PUBLIC_KEY_ENV = 'BOURSE_SIM_API_PUBLIC_KEY_PEM';
/** A second, read-only key pair on the same account (for market data and the reconciler). */
export const READ_ONLY_API_KEY_ENV = 'BOURSE_SIM_READONLY_API_KEY';
export const READ_ONLY_API_SECRET_ENV = 'BOURSE_SIM_READONLY_API_SECRET';

/** `.bourse/exchange-sim/state.json` at the repository root (git-ignored local state). */
export const DEFAULT_STATE_FILE = join(
  fileURLToPath(new URL('../../../', import.meta.url)),
  '.bourse',
  'exchange-sim',
  'state.json',
);

export const USAGE = `Usage: bourse sim [options]   (or: tsx services/exchange-sim/src/main.ts [options])

A Binance-Spot-compatible venue: REST /api/v3, market streams /ws and /stream, WebSocket API /ws-api/v3.

Options:
  --port <n>                 port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>              address to bind (default ${DEFAULT_HOST})
  --seed <n>                 seed of the simulated market and of random faults (default 1)
  --symbols <A,B>            symbols to list (default ${DEFAULT_SYMBOLS.join(',')}; known: ${KNOWN_SYMBOLS.join(',')})
  --faults <spec>            faults at start, e.g. "delay=200,drop-response=1,5xx=3,429=5,skew=-2000"
  --balances <A=n,...>       starting balances of the API key's account (default ${Object.entries(DEFAULT_BALANCES)
    .map(([a, n]) => `${a}=${n}`)
    .join(',')})
  --state-file <path>        where accounts, orders and trades are saved (default .bourse/exchange-sim/state.json)
  --no-state                 keep nothing on disk
  --no-activity              no simulated liquidity providers or takers
  --volatility <x>           per-step volatility of the random walk (default ${DEFAULT_MARKET_ACTIVITY.volatility})
  --drift <x>                per-step drift of the random walk (default ${DEFAULT_MARKET_ACTIVITY.drift})
  --step-ms <n>              milliseconds between market steps (default ${DEFAULT_MARKET_ACTIVITY.intervalMs})
  --replay <file>            replay prices from a file instead of the random walk
  --weight-limit <n>         request weight per IP per window (default 6000)
  --weight-window-s <n>      length of the weight window in seconds, 1-60 (default 60, as Binance)
  --order-limit-10s <n>      orders per account per 10 seconds (default 100)
  --api-key <key>            API key (prefer ${API_KEY_ENV})
  --api-secret <secret>      API secret (prefer ${API_SECRET_ENV}: flags show up in process lists)
                             (an Ed25519 key instead: its public key PEM in ${API_PUBLIC_KEY_ENV})
  --help                     this text

The API key pair is required: set ${API_KEY_ENV} and ${API_SECRET_ENV} (any strings you choose, e.g.
from \`openssl rand -hex 32\`) and give the same pair to the client that trades against the sim.
${READ_ONLY_API_KEY_ENV} and ${READ_ONLY_API_SECRET_ENV} add a read-only pair on the same account:
it reads balances, orders and trades, and is refused (-2015) when it places or cancels an order.`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SimProcessConfig {
  readonly help: boolean;
  readonly options: ExchangeSimOptions;
}

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new ConfigError(flag, `--${flag} expects a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(flag, `--${flag} expects ${min} to ${max}, got ${n}`);
  return n;
}

function fraction(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(flag, `--${flag} expects a number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

export function parseBalances(text: string): BalanceMap {
  const out: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [asset, amount, ...rest] = part.split('=');
    if (
      !asset ||
      !/^[A-Z0-9]{1,20}$/.test(asset) ||
      amount === undefined ||
      rest.length > 0 ||
      !isDecimalText(amount)
    ) {
      throw new ConfigError('balances', `--balances: "${part}" is not ASSET=amount (e.g. USDT=100000)`);
    }
    out[asset] = normalise(amount);
  }
  return out;
}

function parseSymbols(text: string): string[] {
  const symbols = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (symbols.length === 0) throw new ConfigError('symbols', '--symbols needs at least one symbol');
  for (const s of symbols) {
    if (!KNOWN_SYMBOLS.includes(s))
      throw new ConfigError('symbols', `--symbols: unknown symbol ${s}; known: ${KNOWN_SYMBOLS.join(', ')}`);
  }
  return [...new Set(symbols)];
}

/** The command line as an error may show it: the value of --api-secret masked. */
function withoutSecret(argv: readonly string[]): string {
  return argv
    .map((arg, i) =>
      arg.startsWith('--api-secret=') ? '--api-secret=***' : argv[i - 1] === '--api-secret' ? '***' : arg,
    )
    .join(' ');
}

export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimProcessConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        symbols: { type: 'string' },
        faults: { type: 'string' },
        balances: { type: 'string' },
        'state-file': { type: 'string' },
        'no-state': { type: 'boolean' },
        'no-activity': { type: 'boolean' },
        volatility: { type: 'string' },
        drift: { type: 'string' },
        'step-ms': { type: 'string' },
        replay: { type: 'string' },
        'weight-limit': { type: 'string' },
        'weight-window-s': { type: 'string' },
        'order-limit-10s': { type: 'string' },
        'api-key': { type: 'string' },
        'api-secret': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new ConfigError(
      withoutSecret(argv),
      `${err instanceof Error ? err.message : String(err)}\nRun with --help for the options.`,
      { cause: err },
    );
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (values.help === true) return { help: true, options: {} };

  const apiKey = str('api-key') ?? env[API_KEY_ENV];
  const apiSecret = str('api-secret') ?? env[API_SECRET_ENV];
  const publicKeyPem = env[API_PUBLIC_KEY_ENV] || undefined;
  if (apiSecret && publicKeyPem) {
    throw new ConfigError(
      API_PUBLIC_KEY_ENV,
      `set only one of ${API_SECRET_ENV} (an HMAC key) or ${API_PUBLIC_KEY_ENV} (an Ed25519 key)`,
    );
  }
  if (!apiKey || (!apiSecret && !publicKeyPem)) {
    throw new ConfigError(
      !apiKey ? API_KEY_ENV : API_SECRET_ENV,
      `no API key pair for the sim: set ${API_KEY_ENV} and ${API_SECRET_ENV} (or --api-key/--api-secret). ` +
        `Choose any values, e.g. export ${API_KEY_ENV}=$(openssl rand -hex 32) ${API_SECRET_ENV}=$(openssl rand -hex 32), ` +
        `and give the same pair to the client; or, for an Ed25519 key, ${API_PUBLIC_KEY_ENV} instead of the secret.`,
    );
  }
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(apiKey)) {
    throw new ConfigError(API_KEY_ENV, `${API_KEY_ENV} must be 1-128 characters of A-Z a-z 0-9 _ -`);
  }

  const readOnlyKey = env[READ_ONLY_API_KEY_ENV] || undefined;
  const readOnlySecret = env[READ_ONLY_API_SECRET_ENV] || undefined;
  if ((readOnlyKey === undefined) !== (readOnlySecret === undefined)) {
    const missing = readOnlyKey === undefined ? READ_ONLY_API_KEY_ENV : READ_ONLY_API_SECRET_ENV;
    throw new ConfigError(missing, `${missing} is unset while its other half is set; set both or neither`);
  }
  if (readOnlyKey !== undefined && (!/^[A-Za-z0-9_-]{1,128}$/.test(readOnlyKey) || readOnlyKey === apiKey)) {
    throw new ConfigError(
      READ_ONLY_API_KEY_ENV,
      `${READ_ONLY_API_KEY_ENV} must be 1-128 characters of A-Z a-z 0-9 _ - and differ from ${API_KEY_ENV}`,
    );
  }

  let faults: FaultSpec | undefined;
  const faultText = str('faults');
  if (faultText !== undefined) {
    try {
      faults = parseFaultSpec(faultText);
    } catch (err) {
      throw new ConfigError('faults', `--faults: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  const replay = str('replay');
  const stateFile = values['no-state'] === true ? undefined : (str('state-file') ?? DEFAULT_STATE_FILE);
  const volatility = fraction('volatility', str('volatility'), 0, 0.5);
  const drift = fraction('drift', str('drift'), -0.1, 0.1);
  const intervalMs = integer('step-ms', str('step-ms'), 10, 3_600_000);
  const weightLimit = integer('weight-limit', str('weight-limit'), 1, 10_000_000);
  const weightWindowS = integer('weight-window-s', str('weight-window-s'), 1, 60);
  const orderLimit10s = integer('order-limit-10s', str('order-limit-10s'), 1, 1_000_000);
  const rateLimits = {
    ...(weightLimit !== undefined ? { requestWeightPerMinute: weightLimit } : {}),
    ...(weightWindowS !== undefined ? { weightWindowMs: weightWindowS * 1000 } : {}),
    ...(orderLimit10s !== undefined ? { ordersPer10Seconds: orderLimit10s } : {}),
  };
  const port = integer('port', str('port'), 0, 65535) ?? DEFAULT_PORT;
  const seed = integer('seed', str('seed'), 0, 2 ** 32 - 1);
  const symbols = str('symbols');
  const balances = str('balances');

  const options: ExchangeSimOptions = {
    port,
    host: str('host') ?? DEFAULT_HOST,
    ...(seed !== undefined ? { seed } : {}),
    ...(symbols !== undefined ? { symbols: parseSymbols(symbols) } : {}),
    apiKeys: [
      apiSecret ? { apiKey, apiSecret } : { apiKey, publicKeyPem: publicKeyPem ?? '' },
      ...(readOnlyKey !== undefined && readOnlySecret !== undefined
        ? [{ apiKey: readOnlyKey, apiSecret: readOnlySecret, account: apiKey, readOnly: true }]
        : []),
    ],
    ...(balances !== undefined ? { balances: parseBalances(balances) } : {}),
    ...(faults !== undefined ? { faults } : {}),
    ...(stateFile !== undefined ? { stateFile } : {}),
    ...(Object.keys(rateLimits).length > 0 ? { rateLimits } : {}),
    marketActivity: {
      enabled: values['no-activity'] !== true,
      ...(volatility !== undefined ? { volatility } : {}),
      ...(drift !== undefined ? { drift } : {}),
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      ...(replay !== undefined ? { process: 'replay' as const, replayFile: replay } : {}),
    },
  };
  return { help: false, options };
}

/** Reads the real process's flags and environment. */
export function loadConfig(): SimProcessConfig {
  return parseConfig(process.argv.slice(2), process.env);
}
