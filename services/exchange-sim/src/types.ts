// Interfaces of the exchange sim: its options and what a running sim hands back.

import type { Clock } from '@bourse/domain';
import type { FaultSpec } from './faults.js';

/** The one time source, declared in @bourse/domain. */
export type { Clock };

export const systemClock: Clock = { now: () => Date.now() };

/** An HMAC-SHA256 key (`apiSecret`) or an Ed25519 key (`publicKeyPem`, SPKI PEM as Binance's key generator writes it). */
export type ApiKeyConfig = {
  readonly apiKey: string;
  /** Which account the key trades for; defaults to the key itself. */
  readonly account?: string;
  /** A key without trading permission: reads work, placing or cancelling an order gets -2015. */
  readonly readOnly?: boolean;
} & ({ readonly apiSecret: string } | { readonly publicKeyPem: string });

export interface RateLimitConfig {
  /** Request weight per IP per weight window (Binance: 6000 a minute). */
  readonly requestWeightPerMinute: number;
  /**
   * Length of the weight window: a minute on Binance; whole seconds (at most a minute) so a test can
   * reach the limit and see several windows in seconds. exchangeInfo and the usage headers name it.
   */
  readonly weightWindowMs: number;
  readonly ordersPer10Seconds: number;
  readonly ordersPerDay: number;
  readonly rawRequestsPer5Minutes: number;
  /** How many requests refused with 429 an IP may keep sending before it is banned with 418. */
  readonly rejectionsBeforeBan: number;
  /** How long the first ban lasts; repeat bans double it. */
  readonly banMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  requestWeightPerMinute: 6000,
  weightWindowMs: 60_000,
  ordersPer10Seconds: 100,
  ordersPerDay: 200_000,
  rawRequestsPer5Minutes: 61_000,
  rejectionsBeforeBan: 10,
  banMs: 120_000,
};

export interface MarketActivityConfig {
  readonly enabled: boolean;
  /** Milliseconds between steps of the price process. */
  readonly intervalMs: number;
  /** 'random-walk' or a replay of a recorded file of `{ symbol?, price }` lines or a CSV of prices. */
  readonly process: 'random-walk' | 'replay';
  /** Standard deviation of a step, as a fraction of price (0.0005 = 5 bp). */
  readonly volatility: number;
  /** Mean of a step, as a fraction of price. */
  readonly drift: number;
  readonly replayFile?: string;
  /** Price levels each liquidity provider quotes per side. */
  readonly levels: number;
  /** Distance between quoted levels, in ticks. */
  readonly levelSpacingTicks: number;
  /** Half-spread around the mid, in ticks. */
  readonly halfSpreadTicks: number;
  /** Quote size per level, as a notional in USDT (converted for pairs quoted in another asset). */
  readonly levelNotional: string;
  /** Chance per step that a taker crosses the spread. */
  readonly takerProbability: number;
  /** Taker order notional in USDT. */
  readonly takerNotional: string;
}

export const DEFAULT_MARKET_ACTIVITY: MarketActivityConfig = {
  enabled: true,
  intervalMs: 500,
  process: 'random-walk',
  volatility: 0.0005,
  drift: 0,
  levels: 10,
  levelSpacingTicks: 5,
  halfSpreadTicks: 1,
  levelNotional: '5000',
  takerProbability: 0.3,
  takerNotional: '500',
};

/** Balances per asset, as decimal strings: `{ USDT: '100000', BTC: '1' }`. */
export type BalanceMap = Readonly<Record<string, string>>;

export const DEFAULT_BALANCES: BalanceMap = {
  USDT: '100000',
  BTC: '1',
  ETH: '10',
  SOL: '100',
  BNB: '10',
};

export interface ExchangeSimOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly seed?: number;
  readonly symbols?: readonly string[];
  readonly apiKeys?: readonly ApiKeyConfig[];
  /** Starting balances of every configured account that has none yet. */
  readonly balances?: BalanceMap;
  readonly faults?: FaultSpec | string;
  readonly clock?: Clock;
  readonly marketActivity?: Partial<MarketActivityConfig>;
  readonly rateLimits?: Partial<RateLimitConfig>;
  /** Where accounts, orders and trades are saved; restored on start when the file exists. */
  readonly stateFile?: string;
  /** With a state file: save this often while running too (0: only on stop and on request). Default 60 s. */
  readonly autosaveMs?: number;
  /** Interval of server-initiated WebSocket pings (Binance: 20 s). */
  readonly pingIntervalMs?: number;
  /** How often the `@depth@100ms` / `@depth` diff streams and partial-depth streams flush. */
  readonly depthIntervalsMs?: { readonly fast: number; readonly slow: number };
  /** Node process metrics (memory, event loop) on /metrics beside the sim's own; the process entry turns them on. */
  readonly processMetrics?: boolean;
  /** Logger for operator lines; defaults to silence in-process. */
  readonly log?: (line: string) => void;
}
