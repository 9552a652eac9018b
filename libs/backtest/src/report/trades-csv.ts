import type { ClosedTrade } from '../types.js';

export const TRADES_CSV_HEADER = 'side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,fees';

/**
 * The trades as CSV with a header: times in ISO 8601 UTC, prices, quantities, pnl and fees as the exact
 * decimal strings the trades carry, returnPct as a plain number. Ends with a newline.
 */
export function tradesToCsv(trades: readonly ClosedTrade[]): string {
  const lines = [TRADES_CSV_HEADER];
  for (const t of trades) {
    lines.push(
      [
        t.side,
        t.qty,
        new Date(t.entryTime).toISOString(),
        t.entryPrice,
        new Date(t.exitTime).toISOString(),
        t.exitPrice,
        t.pnl,
        String(t.returnPct),
        t.fees,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
