import { z } from 'zod';

// Where the adapter talks to, and how. The simulator is the default; testnet and mainnet URLs are
// constants so that choosing a target is one word in config. Tests never contact testnet/mainnet.

export type BinanceTargetName = 'sim' | 'testnet' | 'mainnet';

export interface BinanceEndpoints {
  /** REST base, e.g. `https://api.binance.com`. */
  restUrl: string;
  /** Market-data stream base; the adapter appends `/stream?streams=…`. */
  wsStreamUrl: string;
  /** WebSocket API endpoint, e.g. `wss://ws-api.binance.com:443/ws-api/v3`. */
  wsApiUrl: string;
}

export const BINANCE_TESTNET_ENDPOINTS: Readonly<BinanceEndpoints> = Object.freeze({
  restUrl: 'https://testnet.binance.vision',
  wsStreamUrl: 'wss://stream.testnet.binance.vision',
  wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
});

export const BINANCE_MAINNET_ENDPOINTS: Readonly<BinanceEndpoints> = Object.freeze({
  restUrl: 'https://api.binance.com',
  wsStreamUrl: 'wss://stream.binance.com:9443',
  wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
});

const Url = z.string().url();

/** The exchange simulator's default address (services/exchange-sim listens on 8090). */
export const DEFAULT_SIM_ENDPOINTS: Readonly<BinanceEndpoints> = Object.freeze({
  restUrl: 'http://127.0.0.1:8090',
  wsStreamUrl: 'ws://127.0.0.1:8090',
  wsApiUrl: 'ws://127.0.0.1:8090/ws-api/v3',
});

export const BinanceEndpointsSchema = z.object({ restUrl: Url, wsStreamUrl: Url, wsApiUrl: Url }).strict();

export const BinanceTarget = z.discriminatedUnion('name', [
  z
    .object({ name: z.literal('sim'), endpoints: BinanceEndpointsSchema.default({ ...DEFAULT_SIM_ENDPOINTS }) })
    .strict(),
  z.object({ name: z.literal('testnet') }).strict(),
  z.object({ name: z.literal('mainnet') }).strict(),
]);
export type BinanceTarget = z.infer<typeof BinanceTarget>;

export const DEFAULT_RECV_WINDOW_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** Binance closes every connection after 24 h; rotate a little before, overlapping the old one. */
export const DEFAULT_STREAM_ROTATE_MS = 23 * 60 * 60 * 1000 + 30 * 60 * 1000;

const ms = z.number().int().nonnegative();

export const BinanceOptions = z
  .object({
    /** The simulator on loopback unless told otherwise. */
    target: BinanceTarget.default({ name: 'sim', endpoints: { ...DEFAULT_SIM_ENDPOINTS } }),
    /** Binance's recvWindow (ms); at most 60 000. */
    recvWindowMs: z.number().int().positive().max(60_000).default(DEFAULT_RECV_WINDOW_MS),
    requestTimeoutMs: z.number().int().positive().default(DEFAULT_REQUEST_TIMEOUT_MS),
    /** Orders go over the WS-API by default; REST is the fallback either way. */
    orderPath: z.enum(['ws-api', 'rest']).default('ws-api'),
    /** How often the server-time offset is measured again. */
    timeSyncIntervalMs: ms.default(60_000),
    /** Retries for idempotent requests only; orders are never resent blindly. */
    maxRetries: z.number().int().nonnegative().max(10).default(3),
    retryBaseMs: ms.default(200),
    retryMaxMs: ms.default(5_000),
    /** Longest the limiter waits for budget before failing the request as rate-limited. */
    maxRateLimitWaitMs: ms.default(10_000),
    reconnectBaseMs: ms.default(250),
    reconnectMaxMs: ms.default(30_000),
    streamRotateMs: ms.default(DEFAULT_STREAM_ROTATE_MS),
    /** A connection that has sent nothing for this long is treated as dead and reconnected. */
    staleConnectionMs: ms.default(180_000),
    /** After an unknown placement outcome: how often, and how far apart, to query by client order id. */
    unknownQueryAttempts: z.number().int().positive().max(20).default(5),
    unknownQueryDelayMs: ms.default(500),
    /** Depth of the REST snapshot used to build local books. */
    depthSnapshotLimit: z.number().int().positive().max(5000).default(1000),
    /** Levels per side carried in each book update. */
    bookLevels: z.number().int().positive().max(5000).default(20),
    /** `ws-api`: userDataStream.subscribe.signature; `listen-key`: the older listenKey stream. */
    userDataMode: z.enum(['ws-api', 'listen-key']).default('ws-api'),
    /** listenKey mode only: Binance expires a key not kept alive for 60 minutes. */
    listenKeyKeepAliveMs: ms.default(30 * 60 * 1000),
    venueId: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/)
      .default('binance'),
  })
  .strict();
export type BinanceOptionsInput = z.input<typeof BinanceOptions>;
export type BinanceOptions = z.output<typeof BinanceOptions>;

export class InvalidBinanceConfigError extends Error {
  override readonly name = 'InvalidBinanceConfigError';
  readonly code = 'INVALID_BINANCE_CONFIG';
  constructor(
    readonly issues: { path: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid Binance adapter options: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      options,
    );
  }
}

/** Validates options once, filling defaults; throws InvalidBinanceConfigError naming every bad field. */
export function parseBinanceOptions(input: unknown): BinanceOptions {
  const result = BinanceOptions.safeParse(input);
  if (!result.success) {
    throw new InvalidBinanceConfigError(
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      { cause: result.error },
    );
  }
  return result.data;
}

export function endpointsFor(target: BinanceTarget): BinanceEndpoints {
  switch (target.name) {
    case 'sim':
      return target.endpoints;
    case 'testnet':
      return BINANCE_TESTNET_ENDPOINTS;
    case 'mainnet':
      return BINANCE_MAINNET_ENDPOINTS;
  }
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The combined-stream URL; accepts a base given with or without a trailing `/ws` or `/stream`. */
export function combinedStreamUrl(wsStreamUrl: string, streams: readonly string[]): string {
  const base = wsStreamUrl.replace(/\/+$/, '').replace(/\/(ws|stream)$/, '');
  return streams.length === 0 ? `${base}/stream` : `${base}/stream?streams=${streams.join('/')}`;
}
