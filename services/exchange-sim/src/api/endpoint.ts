// An endpoint, independent of transport: REST routes and WebSocket API methods both point at these,
// so a rule (a weight, a parameter check, an error) is written once and answered the same way twice.

import { isMatchingError, toBinanceError, type MatchingError } from '@bourse/matching';
import type { ApiKeyRegistry } from '../auth.js';
import { BinanceApiError } from '../errors.js';
import type { FaultState } from '../faults.js';
import type { Params } from '../params.js';
import type { RateLimiter } from '../rate-limits.js';
import type { Clock, RateLimitConfig } from '../types.js';
import type { SimVenue } from '../venue.js';
import type { ListenKeys } from './listen-keys.js';
import type { KlineHistory } from '../klines.js';

export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

/** Everything handlers share. `clock` is the server's clock, clock skew included. */
export interface SimContext {
  readonly venue: SimVenue;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly rateLimits: () => RateLimitConfig;
  readonly keys: ApiKeyRegistry;
  readonly listenKeys: ListenKeys;
  readonly faults: FaultState;
  readonly klines: KlineHistory;
  /** Operator log lines; never given secrets. */
  readonly log: (line: string) => void;
}

export interface Call {
  readonly sim: SimContext;
  /** Set for SIGNED and USER_STREAM calls. */
  readonly account?: string;
  readonly apiKey?: string;
  readonly transport: 'rest' | 'ws-api';
}

export interface Endpoint {
  readonly security: Security;
  readonly weight: number | ((p: Params) => number);
  /** New orders this call places, for the ORDERS limits (0 for everything else). */
  readonly orders?: number;
  /** Whether the call places an order whose response the drop-response fault may swallow. */
  readonly placesOrder?: boolean;
  handle(call: Call, p: Params): unknown;
}

export function weightOf(endpoint: Endpoint, p: Params): number {
  return typeof endpoint.weight === 'number' ? endpoint.weight : endpoint.weight(p);
}

export function requireAccount(call: Call): string {
  if (call.account === undefined)
    throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
  return call.account;
}

/** The engine's rejection as Binance's error; `-2013` instead of `-2011` for queries. */
export function fromEngine(err: unknown, context: 'place' | 'cancel' | 'query' = 'place'): unknown {
  if (!isMatchingError(err)) return err;
  return engineError(err, context);
}

function engineError(err: MatchingError, context: 'place' | 'cancel' | 'query'): BinanceApiError {
  if ((err.code === 'UNKNOWN_ORDER' || err.code === 'UNKNOWN_ORDER_LIST') && context === 'query') {
    return new BinanceApiError(400, -2013, 'Order does not exist.');
  }
  const { code, msg } = toBinanceError(err);
  if (err.code === 'INVALID_PARAMETER' && typeof err.value === 'string') {
    return new BinanceApiError(
      400,
      -1102,
      `Mandatory parameter '${err.value}' was not sent, was empty/null, or malformed.`,
    );
  }
  if (err.code === 'NOT_IMPLEMENTED' || err.code === 'INVALID_SNAPSHOT') return new BinanceApiError(500, code, msg);
  return new BinanceApiError(400, code, msg);
}

/** Runs an engine call, translating its rejections. */
export function engineCall<T>(call: Call, fn: () => T, context: 'place' | 'cancel' | 'query' = 'place'): T {
  try {
    return call.sim.venue.run(fn);
  } catch (err) {
    throw fromEngine(err, context);
  }
}
