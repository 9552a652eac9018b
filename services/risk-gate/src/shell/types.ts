import type { ExecutionEvent, OrderRequest } from '@bourse/contracts';
import type { InstrumentSpec } from '@bourse/domain';
import type { BalanceSnapshot } from '@bourse/risk';

/** What the gate reads at start, before it consumes anything: the OMS's durable view of the venue. */
export interface StartupSnapshot {
  readonly instruments: readonly InstrumentSpec[];
  /** Order requests still open (or unknown), so in-flight exposure and strategies are known. */
  readonly orders: readonly OrderRequest[];
  /** Fills and status updates already recorded: positions, filled quantities and today's P&L. */
  readonly events: readonly ExecutionEvent[];
  readonly balances?: BalanceSnapshot;
}

/** Where the start-up snapshot comes from (the OMS's Postgres tables in production). */
export interface StartupSource {
  load(venue: string): Promise<StartupSnapshot>;
  /** Client order ids of the venue's orders the OMS holds that were updated at or after `sinceMs` (every order created since then). */
  knownOrderIds(venue: string, sinceMs: number): Promise<Set<string>>;
}
