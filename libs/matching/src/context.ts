import type { Ledger } from './ledger.js';
import type { EngineEvent, EngineListener } from './types.js';

/** What every symbol's market shares with the engine: the ledger, the listener and the call's time. */
export interface EngineContext {
  readonly ledger: Ledger;
  listener: EngineListener | undefined;
  /**
   * Events of the running call. They reach the listener only once the call has finished, so the
   * listener always sees a consistent engine and may call back into it.
   */
  events: EngineEvent[];
  /** Clock reading taken once at the start of each public call, so one call has one time. */
  now: number;
  readonly feeAccountId: string;
  readonly maxClosedOrders: number;
  readonly maxAccountTrades: number;
  readonly maxRecentTrades: number;
  /** Stops trigger only on market data applied from outside (`applyMarketTrade`/`applyMarketQuote`). */
  readonly marketDataTriggers: boolean;
  /** A stop already reached when placed triggers at once instead of being rejected (`WOULD_TRIGGER`). */
  readonly triggerReachedStops: boolean;
}
