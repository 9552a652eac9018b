// The platform configuration file (`config/bourse.yaml`): one validated document from which
// `bourse start` derives every child's environment and the operator commands find the servers,
// the namespace and the ops ports. Strict: an unknown key is an error, so a typo (or an API key
// pasted into the file) is refused by name instead of silently ignored.
import { AssetCode, NonNegativeDecimalString, SUBJECT_TOKEN_PATTERN, snapshotKeyPrefix } from '@bourse/contracts';
import { LimitsConfig } from '@bourse/risk';
import { ReconcilerConfig } from '@bourse/reconciliation';
import { z } from 'zod';
import { urlProblem, type ServerKind } from '@bourse/servers';
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL } from '@bourse/service';

export { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL };

/** The platform services that serve /healthz, /readyz and /metrics, in start order. */
export const OPS_SERVICES = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const;
export type OpsService = (typeof OPS_SERVICES)[number];

/** Each service's own default port, so a service started by hand and one started by `bourse start` agree. */
export const DEFAULT_OPS_PORTS: Readonly<Record<OpsService, number>> = {
  'order-manager': 9202,
  'risk-gate': 9102,
  reconciler: 9104,
  'strategy-runner': 9105,
  'market-data': 9402,
};

function serverUrl(kind: ServerKind, fallback: string) {
  return z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      const problem = urlProblem(kind, value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const WsUrl = z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' });
const Port = z.number().int().min(1).max(65_535);
const Symbol = z.string().regex(/^[A-Z0-9]{2,30}$/, { message: 'must be a venue symbol such as BTCUSDT' });

/** Base URLs of a Binance-compatible venue; each optional, the adapter's constant is used when absent. */
const Endpoints = z.strictObject({
  restUrl: HttpUrl.optional(),
  wsStreamUrl: WsUrl.optional(),
  wsApiUrl: WsUrl.optional(),
});

const BudgetName = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 of A-Z a-z 0-9 _ . : -' });

/**
 * The venue's request-weight (per IP) and order-count (per account) budget, which every process
 * that calls the venue spends from Redis, so that together they stay under the venue's limits.
 */
const RateBudgetConfig = z
  .strictObject({
    /** false: each process keeps its own budget in memory (only safe for one process alone). */
    shared: z.boolean().default(true),
    /** Redis key prefix of the budgets; the target (`sim`, `testnet`, `mainnet`) is appended. */
    keyPrefix: z.string().min(1).default('bourse:ratelimit:binance:'),
    /** Names the IP the platform's requests leave from; hosts behind one address share one name. */
    ip: BudgetName.default('local'),
    /** Names the venue account whose keys the services use. */
    account: BudgetName.default('main'),
    /** Part of each limit a process spends while Redis does not answer (0.1: ten processes stay under it). */
    fallbackShare: z.number().gt(0).max(1).default(0.1),
    /**
     * How near a window boundary (ms) a request counts in both windows: covers the time from taking
     * the budget to the venue counting the request, and the clock offset to the venue.
     */
    edgeMs: z.number().int().min(0).max(30_000).default(2_000),
  })
  .prefault({});

const VenueConfig = z
  .strictObject({
    /** The venue id on every message (the Binance adapter's). */
    id: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, { message: 'must be a venue id such as binance' })
      .default('binance'),
    /** `sim`: the exchange simulator `bourse start` runs; `testnet`/`mainnet`: Binance Spot itself. */
    target: z.enum(['sim', 'testnet', 'mainnet']).default('sim'),
    /** Overrides of the testnet base URLs (keys come from BINANCE_TESTNET_API_KEY / _SECRET, never this file). */
    testnet: Endpoints.default({}),
    mainnet: Endpoints.default({}),
    rateBudget: RateBudgetConfig,
  })
  .prefault({});

const SimConfig = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: Port.default(8090),
    seed: z.number().int().nonnegative().default(1),
    symbols: z.array(Symbol).min(1).default(['BTCUSDT', 'ETHUSDT']),
    /** Starting balances of the API key's account; the reconciler's inventory defaults to them. */
    balances: z.record(AssetCode, NonNegativeDecimalString).default({ USDT: '100000', BTC: '1', ETH: '10' }),
    /** Keep accounts, orders and trades across restarts (in .bourse/exchange-sim/state.json). */
    persist: z.boolean().default(true),
    activity: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Milliseconds between market steps (each step moves the mid, re-quotes, maybe trades). */
        stepMs: z.number().int().min(10).max(3_600_000).default(200),
        /** Per-step volatility of the random walk. */
        volatility: z.number().min(0).max(0.5).default(0.0005),
        drift: z.number().min(-0.1).max(0.1).default(0),
      })
      .prefault({}),
  })
  .prefault({});

const OpsConfig = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    ports: z
      .strictObject(
        Object.fromEntries(OPS_SERVICES.map((s) => [s, Port.default(DEFAULT_OPS_PORTS[s])])) as Record<
          OpsService,
          z.ZodDefault<typeof Port>
        >,
      )
      .prefault({}),
  })
  .prefault({})
  .superRefine((ops, ctx) => {
    const seen = new Map<number, string>();
    for (const service of OPS_SERVICES) {
      const port = ops.ports[service];
      const other = seen.get(port);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['ports', service], message: `port ${port} is also ${other}'s` });
      }
      seen.set(port, service);
    }
  });

/** One strategy, in the strategy runner's file format (checked by the runner's own parser at load). */
const StrategyEntry = z.record(z.string(), z.unknown());

const StrategiesConfig = z
  .strictObject({
    /** A strategies file used as is; when absent, `list` is written to .bourse/strategies.yaml. */
    file: z.string().min(1).optional(),
    list: z.array(StrategyEntry).default([]),
  })
  .prefault({});

const RiskConfig = z
  .strictObject({
    /** The risk gate's limits file used as is; when absent, `limits` is written to .bourse/risk-limits.yaml. */
    limitsFile: z.string().min(1).optional(),
    limits: LimitsConfig.optional(),
  })
  .prefault({})
  .refine((r) => r.limitsFile !== undefined || r.limits !== undefined, {
    message: 'give limitsFile (a path) or limits (inline), so the risk gate never starts without limits',
  });

const ReconcilerSection = z
  .strictObject({
    /** Milliseconds between scheduled runs. */
    intervalMs: z.number().int().min(1_000).default(120_000),
    /**
     * Write global ACTIVE after the first passing start run. Default: on for the sim only, where
     * paper trading should start by itself; against a real venue a person resumes.
     */
    activateOnFirstPass: z.boolean().optional(),
    /** The reconciler's tolerances and policies (its own schema); inventory defaults to the sim's balances. */
    settings: ReconcilerConfig.optional(),
  })
  .prefault({});

const MarketDataSection = z
  .strictObject({
    instruments: z.array(Symbol).min(1).default(['BTCUSDT', 'ETHUSDT']),
    /** Where market snapshots live in Redis; absent: `bourse:md:`, or `bourse:<namespace>:md:` in a namespace. */
    snapshotKeyPrefix: z.string().min(1).optional(),
  })
  .prefault({});

export const PlatformConfig = z.strictObject({
  v: z.literal(1),
  /** Subject/stream/bucket namespace; empty in production. */
  namespace: z
    .string()
    .default('')
    .refine((s) => s === '' || SUBJECT_TOKEN_PATTERN.test(s), { message: 'must be letters, digits, "_" or "-"' }),
  servers: z
    .strictObject({
      nats: serverUrl('nats', DEFAULT_NATS_URL),
      postgres: serverUrl('postgres', DEFAULT_DATABASE_URL),
      redis: serverUrl('redis', DEFAULT_REDIS_URL),
    })
    .prefault({}),
  venue: VenueConfig,
  sim: SimConfig,
  ops: OpsConfig,
  marketData: MarketDataSection,
  strategies: StrategiesConfig,
  risk: RiskConfig,
  reconciler: ReconcilerSection,
  /** Quote asset P&L is shown in. */
  pnlAsset: AssetCode.default('USDT'),
});
export type PlatformConfig = z.infer<typeof PlatformConfig>;

/** The Redis key prefix of the platform's market snapshots: the configured one, else the namespace's. */
export function marketSnapshotPrefix(config: Pick<PlatformConfig, 'namespace' | 'marketData'>): string {
  return config.marketData.snapshotKeyPrefix ?? snapshotKeyPrefix(config.namespace);
}
export type PlatformConfigInput = z.input<typeof PlatformConfig>;
