import { z } from 'zod';
import type { InstrumentSymbol } from '@bourse/contracts';
import type { Kline } from '@bourse/venues';

// GET /api/v3/klines answers arrays: [openTime, open, high, low, close, volume, closeTime,
// quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]. Only the first nine are read; more
// (or fewer trailing) entries are tolerated, as Binance adds fields at the end.

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const Ms = z.number().int().nonnegative();

export const KlineRow = z
  .tuple([Ms, Dec, Dec, Dec, Dec, Dec, Ms])
  .rest(z.unknown())
  .refine((row) => row.length < 9 || Number.isInteger(row[8]), { message: 'trades (index 8) must be an integer' });
export type KlineRow = z.infer<typeof KlineRow>;

export function toKline(row: KlineRow, symbol: InstrumentSymbol): Kline {
  const trades = row[8];
  return {
    symbol,
    openTime: row[0],
    open: row[1],
    high: row[2],
    low: row[3],
    close: row[4],
    volume: row[5],
    closeTime: row[6],
    trades: typeof trades === 'number' ? trades : 0,
  };
}
