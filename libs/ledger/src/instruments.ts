// Instrument metadata from the venue, stored by the order manager so orders and fills can reference
// it and so the last known filters survive a restart when the venue's metadata endpoint is down.

import { Instrument } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { z } from 'zod';
import { msOf, parsedRow } from './values.js';

/** The venue's filters as sent: Binance exchangeInfo `filters` is an array of objects. */
export const RawFilters = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);
export type RawFilters = z.infer<typeof RawFilters>;

export interface StoredInstrument {
  readonly instrument: Instrument;
  readonly rawFilters: RawFilters;
  readonly updatedAt: number;
}

interface InstrumentRow {
  venue: string;
  venue_symbol: string;
  symbol: string;
  base_asset: string;
  quote_asset: string;
  tick_size: string;
  step_size: string;
  market_step_size: string | null;
  min_qty: string;
  max_qty: string;
  min_notional: string;
  multiplier: string;
  raw_filters: unknown;
  updated_at: Date;
}

/** Every stored instrument (of one venue when given), each checked against the `Instrument` contract. */
export async function loadInstruments(db: Queryable, venue?: string): Promise<StoredInstrument[]> {
  const result = await db.query<InstrumentRow>(
    `SELECT venue, venue_symbol, symbol, base_asset, quote_asset, tick_size, step_size, market_step_size, min_qty,
            max_qty, min_notional, multiplier, raw_filters, updated_at
       FROM instruments WHERE ($1::text IS NULL OR venue = $1) ORDER BY venue, venue_symbol`,
    [venue ?? null],
  );
  return result.rows.map((row) => {
    const candidate = {
      v: 1,
      symbol: row.symbol,
      venue: row.venue,
      venueSymbol: row.venue_symbol,
      base: row.base_asset,
      quote: row.quote_asset,
      tickSize: row.tick_size,
      stepSize: row.step_size,
      ...(row.market_step_size === null ? {} : { marketStepSize: row.market_step_size }),
      minQty: row.min_qty,
      maxQty: row.max_qty,
      minNotional: row.min_notional,
      multiplier: row.multiplier,
    };
    const key = `${row.venue} ${row.venue_symbol}`;
    return {
      instrument: parsedRow('instrument', key, Instrument, candidate),
      rawFilters: parsedRow('instrument raw filters', key, RawFilters, row.raw_filters),
      updatedAt: msOf(row.updated_at),
    };
  });
}
