// Instrument metadata from the venue, stored so orders and fills can reference it and so the last
// known filters survive a restart when the venue's metadata endpoint is slow or down.

import { Instrument } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { z } from 'zod';
import { checked, msOf, parsedRow, timeParam } from './values.js';

/** The venue's filters as sent: Binance exchangeInfo `filters` is an array of objects. */
const RawFilters = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);
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

export interface UpsertInstrumentOptions {
  readonly rawFilters: RawFilters;
  /** When this metadata was fetched, epoch ms. */
  readonly updatedAt: number;
}

/**
 * Stores an instrument (keyed by venue and venue symbol); returns false, writing nothing, when the
 * stored metadata is newer than `updatedAt`.
 */
export async function upsertInstrument(
  db: Queryable,
  instrument: Instrument,
  options: UpsertInstrumentOptions,
): Promise<boolean> {
  const i = checked('instrument', Instrument, instrument);
  const result = await db.query(
    `INSERT INTO instruments (venue, venue_symbol, symbol, base_asset, quote_asset, tick_size, step_size,
       market_step_size, min_qty, max_qty, min_notional, multiplier, raw_filters, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (venue, venue_symbol) DO UPDATE
       SET symbol = EXCLUDED.symbol, base_asset = EXCLUDED.base_asset, quote_asset = EXCLUDED.quote_asset,
           tick_size = EXCLUDED.tick_size, step_size = EXCLUDED.step_size,
           market_step_size = EXCLUDED.market_step_size, min_qty = EXCLUDED.min_qty, max_qty = EXCLUDED.max_qty,
           min_notional = EXCLUDED.min_notional, multiplier = EXCLUDED.multiplier,
           raw_filters = EXCLUDED.raw_filters, updated_at = EXCLUDED.updated_at
       WHERE instruments.updated_at <= EXCLUDED.updated_at`,
    [
      i.venue,
      i.venueSymbol,
      i.symbol,
      i.base,
      i.quote,
      i.tickSize,
      i.stepSize,
      i.marketStepSize ?? null,
      i.minQty,
      i.maxQty,
      i.minNotional,
      i.multiplier,
      JSON.stringify(checked('rawFilters', RawFilters, options.rawFilters)),
      timeParam('updatedAt', options.updatedAt),
    ],
  );
  return result.rowCount === 1;
}

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
