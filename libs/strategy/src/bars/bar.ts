/**
 * An OHLCV bar of one instrument and timeframe. Prices here are numbers: bars feed signals and
 * indicators, never order fields; an order's price is rounded to the tick from a decimal by the
 * instrument registry before it leaves the strategy.
 */
export interface Bar {
  readonly symbol: string;
  readonly timeframeMs: number;
  /** Start of the bar's window (inclusive), aligned to a multiple of the timeframe since the epoch. */
  readonly openTime: number;
  /** End of the window (exclusive): openTime + timeframeMs. */
  readonly closeTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly tradeCount: number;
  /** `forming` while its window is open; `closed` once a later trade or the clock passed closeTime. */
  readonly state: 'forming' | 'closed';
}

/**
 * The price bars are built from, as NautilusTrader's and LEAN's bar types name it: `last` — trades
 * (price and traded size); `mid`, `bid`, `ask` — top-of-book quotes (that side's price, or the mean of
 * both; a quote bar's volume is 0, since a quote trades nothing, and its tradeCount counts quotes).
 */
export type BarPrice = 'last' | 'mid' | 'bid' | 'ask';
export const BAR_PRICES: readonly BarPrice[] = ['last', 'mid', 'bid', 'ask'];

/**
 * The price a quote gives a bar of `price` (mid, bid or ask); undefined when the side it needs is
 * empty (a price of 0: one side of the book has no order).
 */
export function quoteBarPrice(price: Exclude<BarPrice, 'last'>, bid: number, ask: number): number | undefined {
  if (price === 'bid') return bid > 0 ? bid : undefined;
  if (price === 'ask') return ask > 0 ? ask : undefined;
  return bid > 0 && ask > 0 ? (bid + ask) / 2 : undefined;
}

export class InvalidTimeframeError extends Error {
  override readonly name = 'InvalidTimeframeError';
  readonly code = 'INVALID_TIMEFRAME';
  constructor(readonly value: string | number) {
    super(
      `timeframe ${String(value)} is not valid; use a positive whole number of ms or a label such as 1m, 5m, 1h, 1d`,
    );
  }
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `1m`, `15m`, `4h`, `1d`, `30s` into milliseconds; throws InvalidTimeframeError otherwise. */
export function timeframeMs(label: string): number {
  const match = /^([1-9][0-9]*)([smhd])$/.exec(label);
  if (!match) throw new InvalidTimeframeError(label);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Start of the window of `timeframe` that holds `timeMs` (windows are aligned to the epoch, UTC). */
export function windowStart(timeMs: number, timeframe: number): number {
  return timeMs - (((timeMs % timeframe) + timeframe) % timeframe);
}
