// The runner's process configuration, from environment variables. The only module that reads
// process.env; parsed once at start, failing early with the variable that is wrong.

import { hostname } from 'node:os';
import { RateBudgetEnv, rateBudgetSettings, type RateBudgetSettings } from '@bourse/venue-binance';
import { z } from 'zod';
import { snapshotKeyPrefix } from '@bourse/contracts';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  DEFAULT_OPS_HOST,
  DEFAULT_REDIS_URL,
  databaseUrl,
} from '@bourse/service';
import { RunnerConfigError } from './errors.js';

export { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL };
export const DEFAULT_OPS_PORT = 9105;
export const DEFAULT_LEASE_TTL_MS = 10_000;
export const DEFAULT_LEASE_RENEW_MS = 2_500;
export const DEFAULT_LEASE_MARGIN_MS = 2_000;
export const DEFAULT_STALE_AFTER_MS = 10_000;
/** Key prefix under which the market-data gateway writes its Redis snapshots. */
/** The market-data gateway's snapshot key prefix (its MD_SNAPSHOT_KEY_PREFIX default). */
export const DEFAULT_MD_REDIS_PREFIX = 'bourse:md:';

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const ReplicaId = z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, { message: 'must be 1-63 of A-Za-z0-9_- (a pod name)' });

const Env = z.object({
  NATS_URL: z.string().min(1).default(DEFAULT_NATS_URL),
  REDIS_URL: z.string().min(1).default(DEFAULT_REDIS_URL),
  /** Where strategies' own states are kept (the runner's `strategy_state` table). */
  DATABASE_URL: databaseUrl,
  /** Namespace of subjects, streams and buckets; empty in production. */
  BOURSE_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, { message: 'must be letters, digits, "_" or "-"' })
    .default(''),
  /** YAML or JSON list of strategies; without it the runner starts with none. */
  STRATEGIES_FILE: z.string().min(1).optional(),
  REPLICA_ID: ReplicaId.optional(),
  LEASE_TTL_MS: int(500, 600_000).default(DEFAULT_LEASE_TTL_MS),
  LEASE_RENEW_MS: int(50, 300_000).default(DEFAULT_LEASE_RENEW_MS),
  LEASE_MARGIN_MS: int(1, 300_000).default(DEFAULT_LEASE_MARGIN_MS),
  STALE_AFTER_MS: int(100, 3_600_000).default(DEFAULT_STALE_AFTER_MS),
  /** Absent: the namespace's prefix (`bourse:md:`, or `bourse:<namespace>:md:`), as the gateway writes it. */
  MD_REDIS_PREFIX: z.string().min(1).optional(),
  OPS_PORT: int(0, 65_535).default(DEFAULT_OPS_PORT),
  OPS_HOST: z.string().min(1).default(DEFAULT_OPS_HOST),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** Where instrument specs (tick, lot, min notional) are read from: the venue's exchangeInfo over REST. */
  RUNNER_VENUE_TARGET: z.enum(['sim', 'testnet', 'mainnet', 'none']).default('sim'),
  RUNNER_SIM_REST_URL: z.url().default('http://127.0.0.1:8090'),
  /** Safe start also waits for an ok reconciliation report; `false` only where no reconciler runs. */
  REQUIRE_RECONCILIATION: z.enum(['true', 'false']).default('true'),
  /** What bars are built from: `last` (trades), or the quotes' `mid`, `bid` or `ask` (quote-only feeds). */
  BAR_PRICE: z.enum(['last', 'mid', 'bid', 'ask']).default('last'),
  /**
   * Development only: run a strategy whose code hash differs from the one recorded for its version
   * (recording the new hash, with a warning) instead of refusing it. `bourse start --allow-changed` sets it.
   */
  RUNNER_ALLOW_CHANGED_CODE: z.enum(['true', 'false']).default('false'),
  ...RateBudgetEnv,
});

export interface RunnerConfig {
  readonly natsUrl: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly namespace: string;
  readonly strategiesFile: string | undefined;
  readonly replicaId: string;
  readonly leaseTtlMs: number;
  readonly leaseRenewMs: number;
  readonly leaseMarginMs: number;
  readonly staleAfterMs: number;
  readonly mdRedisPrefix: string;
  readonly opsPort: number;
  readonly opsHost: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** `none`: no instrument specs (ctx.instrument is undefined). */
  readonly venueTarget: 'sim' | 'testnet' | 'mainnet' | 'none';
  readonly simRestUrl: string;
  /** Where the request-weight budget of the venue reads lives (shared in Redis under `bourse start`). */
  readonly rateBudget: RateBudgetSettings;
  readonly requireReconciliation: boolean;
  readonly barPrice: 'last' | 'mid' | 'bid' | 'ask';
  /** Run strategies whose code changed under an unchanged version (development); default false: refuse them. */
  readonly allowChangedCode: boolean;
}

/** Parses the environment; throws RunnerConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? '(environment)');
    // Values are not echoed: a URL may hold a password.
    throw new RunnerConfigError(`environment variable ${name} ${issue?.message ?? 'is invalid'}`, name);
  }
  const e = parsed.data;
  if (e.LEASE_RENEW_MS + e.LEASE_MARGIN_MS >= e.LEASE_TTL_MS) {
    throw new RunnerConfigError(
      `LEASE_RENEW_MS (${e.LEASE_RENEW_MS}) + LEASE_MARGIN_MS (${e.LEASE_MARGIN_MS}) must be below LEASE_TTL_MS (${e.LEASE_TTL_MS})`,
      'LEASE_RENEW_MS',
    );
  }
  const replicaId = e.REPLICA_ID ?? sanitiseHost(env.HOSTNAME ?? hostname());
  return {
    natsUrl: e.NATS_URL,
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    namespace: e.BOURSE_NAMESPACE,
    strategiesFile: e.STRATEGIES_FILE,
    replicaId,
    leaseTtlMs: e.LEASE_TTL_MS,
    leaseRenewMs: e.LEASE_RENEW_MS,
    leaseMarginMs: e.LEASE_MARGIN_MS,
    staleAfterMs: e.STALE_AFTER_MS,
    mdRedisPrefix: e.MD_REDIS_PREFIX ?? snapshotKeyPrefix(e.BOURSE_NAMESPACE),
    opsPort: e.OPS_PORT,
    opsHost: e.OPS_HOST,
    logLevel: e.LOG_LEVEL,
    venueTarget: e.RUNNER_VENUE_TARGET,
    simRestUrl: e.RUNNER_SIM_REST_URL,
    rateBudget: rateBudgetSettings(e),
    requireReconciliation: e.REQUIRE_RECONCILIATION === 'true',
    barPrice: e.BAR_PRICE,
    allowChangedCode: e.RUNNER_ALLOW_CHANGED_CODE === 'true',
  };
}

function sanitiseHost(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 63);
  return cleaned === '' ? 'strategy-runner' : cleaned;
}
