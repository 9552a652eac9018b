// Instrument metadata from the venue, stored so orders and fills can reference it and so the last
// known filters survive a restart when the venue's metadata endpoint is slow or down. The reads are
// @bourse/ledger's.

import { Instrument } from '@bourse/contracts';
import { RawFilters } from '@bourse/ledger';
import type { Queryable } from '@bourse/store';
import { checked, timeParam } from './values.js';

export type { RawFilters } from '@bourse/ledger';

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
