import type { InstrumentSymbol } from '@bourse/contracts';
import type { TradesQuery, VenueOrder } from '@bourse/venues';
import type { Checkpoint, OurOrder } from './types.js';
import { tradeNumber } from './values.js';

// Which venue trades a run asks for: every trade that can be missing from our store.
// - An instrument with a checkpoint is asked from its checkpoint trade on (inclusive; the core
//   skips it). A checkpoint only moves after a run that passed, so everything before it is proven
//   complete.
// - One without a checkpoint is asked from the oldest order that may have traded without our
//   fills: our oldest open order there, our oldest order whose filled quantity is above its stored
//   fills (it lost fills), the venue's oldest open order there. With none of those, from the
//   platform's start on the account (our first order there): trades before it cannot be ours.
// Never from our newest stored fill: fills stored after a lost one would hide it.

/** An order of ours with the time it was created at the venue's side (ms). */
export type DatedOrder = OurOrder & { readonly createdAt: number };

export interface TradeQueryContext {
  readonly checkpoint: Checkpoint;
  readonly ourOpenOrders: readonly DatedOrder[];
  /** Our orders whose filled quantity is above the fills stored for them. */
  readonly unbookedOrders: readonly DatedOrder[];
  readonly venueOpen: readonly VenueOrder[];
  /** Per instrument, when our first order there was created: the platform's start on the account. */
  readonly firstOrderAt: Readonly<Record<string, number>>;
}

export function tradeQueries(ctx: TradeQueryContext): TradesQuery[] {
  const since = new Map<string, number>();
  const consider = (instrument: string, at: number): void => {
    const seen = since.get(instrument);
    if (seen === undefined || at < seen) since.set(instrument, at);
  };
  for (const o of ctx.ourOpenOrders) consider(o.instrument, o.createdAt);
  for (const o of ctx.unbookedOrders) consider(o.instrument, o.createdAt);
  for (const o of ctx.venueOpen) consider(o.symbol, o.createdAt);

  const queries: TradesQuery[] = [];
  const instruments = new Set([...Object.keys(ctx.checkpoint), ...since.keys(), ...Object.keys(ctx.firstOrderAt)]);
  for (const instrument of [...instruments].sort()) {
    const symbol = instrument as InstrumentSymbol;
    const mark = ctx.checkpoint[instrument];
    // The venue pages by its own trade number; the adapter's fill id may prefix it with the symbol.
    const fromId = mark ? tradeNumber(mark.lastTradeId) : undefined;
    if (mark && fromId !== undefined) queries.push({ symbol, fromId });
    else if (mark) queries.push({ symbol, startTime: mark.lastTradeTime });
    else {
      const start = since.get(instrument) ?? ctx.firstOrderAt[instrument];
      if (start !== undefined) queries.push({ symbol, startTime: start });
    }
  }
  return queries;
}

/**
 * How far a venue's clock may step back between two trades. Trades are asked by trade number, our
 * fills read by time: a checkpoint trade stamped while the venue's clock ran ahead (a chaos run's
 * skew found it) is later than the next trades, whose fills a window starting at its time would
 * miss — each then looks missed, is counted twice, and halts trading on drift for good. Reading
 * our fills from a little earlier costs a few minutes of fills; a bigger step still halts, safely.
 */
export const VENUE_CLOCK_STEP_MS = 5 * 60_000;

/**
 * From when our stored fills of each instrument must be read so every trade a run can meet finds
 * its fill: the checkpoint's trade time less `VENUE_CLOCK_STEP_MS`, or without a checkpoint the
 * platform's start there (every fill).
 */
export function fillWindows(
  checkpoint: Checkpoint,
  firstOrderAt: Readonly<Record<string, number>>,
): Map<string, number> {
  const windows = new Map<string, number>();
  for (const [instrument, at] of Object.entries(firstOrderAt)) windows.set(instrument, at);
  for (const [instrument, mark] of Object.entries(checkpoint))
    windows.set(instrument, mark.lastTradeTime - VENUE_CLOCK_STEP_MS);
  return windows;
}
