import type { InstrumentSymbol } from '@bourse/contracts';
import type { TradesQuery, VenueOrder } from '@bourse/venues';
import type { Checkpoint, OurOrder } from './types.js';
import type { StoredFillView } from './our-view.js';
import { tradeNumber } from './values.js';

// Which venue trades a run asks for. An instrument with a checkpoint is asked from its checkpoint
// trade on (inclusive; the core skips it). One without is asked from the earliest of our oldest
// open order there, the venue's oldest open order there, and our last stored fill there: trades
// before those were either matched by the OMS's stream or belong to no order we know.

export interface TradeQueryContext {
  readonly checkpoint: Checkpoint;
  readonly ourOpenOrders: readonly (OurOrder & { readonly createdAt?: number })[];
  readonly fills: readonly StoredFillView[];
  readonly venueOpen: readonly VenueOrder[];
  /** Used when nothing else dates an instrument (only a fill of an order we hold). */
  readonly now: number;
}

export function tradeQueries(ctx: TradeQueryContext): TradesQuery[] {
  const since = new Map<string, number>();
  const consider = (instrument: string, at: number | undefined): void => {
    const t = at ?? ctx.now;
    const seen = since.get(instrument);
    if (seen === undefined || t < seen) since.set(instrument, t);
  };
  for (const o of ctx.ourOpenOrders) consider(o.instrument, o.createdAt);
  for (const o of ctx.venueOpen) consider(o.symbol, o.createdAt);
  const lastFill = new Map<string, number>();
  for (const f of ctx.fills) lastFill.set(f.instrument, Math.max(lastFill.get(f.instrument) ?? 0, f.venueTime));
  for (const [instrument, at] of lastFill) consider(instrument, at);

  const queries: TradesQuery[] = [];
  const instruments = new Set([...Object.keys(ctx.checkpoint), ...since.keys()]);
  for (const instrument of [...instruments].sort()) {
    const symbol = instrument as InstrumentSymbol;
    const mark = ctx.checkpoint[instrument];
    // The venue pages by its own trade number; the adapter's fill id may prefix it with the symbol.
    const fromId = mark ? tradeNumber(mark.lastTradeId) : undefined;
    if (mark && fromId !== undefined) queries.push({ symbol, fromId });
    else if (mark) queries.push({ symbol, startTime: mark.lastTradeTime });
    else queries.push({ symbol, startTime: since.get(instrument) ?? ctx.now });
  }
  return queries;
}
