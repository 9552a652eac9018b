import type { DecimalString, Side } from '@bourse/contracts';
import type { ClosedTrade, Stats } from '../types.js';
import { finiteOrNull } from './format.js';

/** Stats as JSON: the same keys, with NaN and Infinity (no JSON form) written as null. */
export type StatsJson = {
  readonly [K in keyof Stats]: Stats[K] extends number ? number | null : Stats[K];
};

/** A trade as JSON: times as ISO 8601 UTC strings. */
export interface TradeJson {
  readonly side: Side;
  readonly qty: DecimalString;
  readonly entryTime: string;
  readonly entryPrice: DecimalString;
  readonly exitTime: string;
  readonly exitPrice: DecimalString;
  readonly pnl: DecimalString;
  readonly returnPct: number | null;
  readonly fees: DecimalString;
}

/** What `--json` prints. */
export interface JsonReport {
  readonly stats: StatsJson;
  readonly trades: TradeJson[];
}

/** Builds the `--json` object `{ stats, trades }`; pass it to JSON.stringify. */
export function jsonReport(stats: Stats, trades: readonly ClosedTrade[]): JsonReport {
  const statsJson: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stats)) {
    statsJson[key] = typeof value === 'number' ? finiteOrNull(value) : value;
  }
  return {
    stats: statsJson as StatsJson,
    trades: trades.map((t) => ({
      side: t.side,
      qty: t.qty,
      entryTime: new Date(t.entryTime).toISOString(),
      entryPrice: t.entryPrice,
      exitTime: new Date(t.exitTime).toISOString(),
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      returnPct: finiteOrNull(t.returnPct),
      fees: t.fees,
    })),
  };
}
