// Synthetic market data for the backtest figures (4, 4b, 6), and the hand-written baseline: the same
// sma-cross signals and market fills over the same data with the same `Decimal`, and no engine.
import { type Decimal, ZERO, dec } from '@bourse/domain';
import type { Bar, BacktestSpec, TickEvent } from '@bourse/backtest';
import { builtinStrategy } from '@bourse/strategy';

export const MINUTE = 60_000;
export const T0 = 1_700_000_000_000;
export const FAST = 10;
export const SLOW = 30;
export const FEE = '0.001';

/** Mid price in cents of quote `i` (quotes 100 ms apart): a slow wave, a faster one, and a wiggle. */
function midCents(i: number): number {
  return 3_000_000 + Math.round(20_000 * Math.sin(i / 30_000) + 3_000 * Math.sin(i / 4_100) + 40 * Math.sin(i / 17));
}

/** Prices as wire strings, made once per cent so the data's own cost stays small beside the engine's. */
const priceText = new Map<number, string>();
function centsText(c: number): string {
  let s = priceText.get(c);
  if (s === undefined) {
    s = (c / 100).toFixed(2);
    priceText.set(c, s);
  }
  return s;
}

/** The `i`-th quote: 100 ms apart, a one-cent half spread. */
export function quoteAt(i: number): TickEvent {
  const mid = midCents(i);
  return {
    kind: 'quote',
    time: T0 + i * 100,
    bidPrice: centsText(mid - 1),
    askPrice: centsText(mid + 1),
    bidQty: '1.5',
    askQty: '2',
  };
}

/** The `i`-th trade tick: the quote's mid, 100 ms apart, alternating aggressor. */
export function tradeAt(i: number): { time: number; price: string; qty: string; side: 'BUY' | 'SELL'; id: string } {
  return {
    time: T0 + i * 100,
    price: centsText(midCents(i)),
    qty: '0.25',
    side: i % 2 === 0 ? 'BUY' : 'SELL',
    id: String(i + 1),
  };
}

/** The `i`-th one-minute bar: a wave on a drift. */
export function barAt(i: number): Bar {
  const p = (k: number) =>
    Math.round((100 + 20 * Math.sin(k / 900) + 4 * Math.sin(k / 97) + Math.sin(k / 7)) * 100) / 100;
  const open = p(i);
  const close = p(i + 1);
  const high = Math.max(open, close) + 0.05;
  const low = Math.min(open, close) - 0.05;
  return {
    time: T0 + i * MINUTE,
    line: i + 2,
    open: open.toFixed(2),
    high: high.toFixed(2),
    low: low.toFixed(2),
    close: close.toFixed(2),
    volume: '1000',
    openNum: open,
    highNum: high,
    lowNum: low,
    closeNum: close,
    volumeNum: 1000,
  } as Bar;
}

/**
 * `n` events from `at`, stopping early once `deadline` (hrtime ns) has passed; `counter.n` says how
 * many were given. Events are made as they are consumed, so the data holds no memory of its own.
 */
export function* capped<T>(at: (i: number) => T, n: number, deadline: bigint, counter: { n: number }): Generator<T> {
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0 && process.hrtime.bigint() > deadline) return;
    counter.n = i + 1;
    yield at(i);
  }
}

export const EXECUTION = { makerFeeRate: FEE, takerFeeRate: FEE, lot: '0.00001', tick: '0.01' };

/** sma-cross 10/30 on one-minute bars, all of the equity, long/short. */
export function smaSpec(kind: 'quotes' | 'trades' | 'bars'): BacktestSpec {
  return {
    strategy: builtinStrategy('sma-cross'),
    params: {
      fast: FAST,
      slow: SLOW,
      timeframe: '1m',
      sizing: { kind: 'fraction', fraction: '1' },
      mode: 'long-short',
    },
    symbol: 'BENCH/USD',
    cash: '100000',
    execution: kind === 'bars' ? { ...EXECUTION, fill: 'next-open' as const } : EXECUTION,
    longShort: true,
    barMs: MINUTE,
    ...(kind === 'quotes' ? { barPrice: 'mid' as const } : {}),
  } as BacktestSpec;
}

const TWO = dec('2');
const ONE = dec('1');

/**
 * The baseline's whole strategy and account: exact SMAs of closes compared by cross-multiplying (as
 * sma-cross does), a strict cross flips the position through flat at the next price (a market order
 * at the touch, sized to the equity less the taker fee, floored to the lot), fees charged on value.
 */
class HandLoop {
  private readonly fastRing: Decimal[] = [];
  private readonly slowRing: Decimal[] = [];
  private fastSum: Decimal = ZERO;
  private slowSum: Decimal = ZERO;
  private prevCmp = 0;
  private pending: 'long' | 'short' | undefined;
  cash: Decimal;
  position: Decimal = ZERO;
  trades = 0;
  equity: Decimal = ZERO;
  private readonly fee = dec(FEE);
  private readonly feeFactor = ONE.plus(dec(FEE));
  private readonly lot = dec(EXECUTION.lot);
  private readonly nFast = dec(String(FAST));
  private readonly nSlow = dec(String(SLOW));

  constructor(cash: string) {
    this.cash = dec(cash);
  }

  /** A bar closed at `close`: update both windows; a strict cross asks for the other side. */
  onClose(close: Decimal, mark: Decimal): void {
    const push = (ring: Decimal[], sum: Decimal, n: number): Decimal => {
      ring.push(close);
      let s = sum.plus(close);
      if (ring.length > n) s = s.minus(ring.shift()!);
      return s;
    };
    this.fastSum = push(this.fastRing, this.fastSum, FAST);
    this.slowSum = push(this.slowRing, this.slowSum, SLOW);
    if (this.slowRing.length < SLOW) return;
    const c = this.fastSum.times(this.nSlow).cmp(this.slowSum.times(this.nFast));
    const was = this.prevCmp;
    this.prevCmp = c;
    if (was < 0 && c > 0 && !this.position.isPositive()) this.pending = 'long';
    else if (was > 0 && c < 0 && !this.position.isNegative()) this.pending = 'short';
    this.equity = this.cash.plus(this.position.times(mark));
  }

  /** A price the venue can fill at: a pending flip trades here. */
  onPrice(bid: Decimal, ask: Decimal): void {
    if (this.pending === undefined) return;
    const buy = this.pending === 'long';
    const price = buy ? ask : bid;
    if (!this.position.isZero()) this.trade(this.position.neg(), price);
    const equity = this.cash;
    const qty = equity.div(price.times(this.feeFactor), 18, 'floor').roundToMultiple(this.lot, 'floor');
    if (qty.isPositive()) this.trade(buy ? qty : qty.neg(), price);
    this.pending = undefined;
  }

  private trade(qty: Decimal, price: Decimal): void {
    const value = qty.times(price);
    this.cash = this.cash.minus(value).minus(value.abs().times(this.fee));
    this.position = this.position.plus(qty);
    this.trades++;
  }

  mark(mark: Decimal): number {
    return this.cash.plus(this.position.times(mark)).toNumber();
  }
}

/** The baseline over `n` quotes: mid bars of one minute, fills at the next quote's touch. */
export function handLoopQuotes(n: number): { trades: number; equity: number } {
  const loop = new HandLoop('100000');
  let minute = -1;
  let close: Decimal = ZERO;
  let equity = 0;
  for (let i = 0; i < n; i++) {
    const q = quoteAt(i) as Extract<TickEvent, { kind: 'quote' }>;
    const m = Math.floor(q.time / MINUTE);
    if (minute >= 0 && m !== minute) loop.onClose(close, close);
    minute = m;
    const bid = dec(q.bidPrice);
    const ask = dec(q.askPrice);
    const mid = bid.plus(ask).div(TWO, 18, 'half-even');
    loop.onPrice(bid, ask);
    close = mid;
    equity = loop.mark(mid);
  }
  return { trades: loop.trades, equity };
}

/** The baseline over `n` trade ticks: last-price bars of one minute, fills at the next trade's price. */
export function handLoopTrades(n: number): { trades: number; equity: number } {
  const loop = new HandLoop('100000');
  let minute = -1;
  let close: Decimal = ZERO;
  let equity = 0;
  for (let i = 0; i < n; i++) {
    const t = tradeAt(i);
    const m = Math.floor(t.time / MINUTE);
    if (minute >= 0 && m !== minute) loop.onClose(close, close);
    minute = m;
    const p = dec(t.price);
    loop.onPrice(p, p);
    close = p;
    equity = loop.mark(p);
  }
  return { trades: loop.trades, equity };
}

/** The baseline over `n` one-minute bars: a decision at a close fills at the next bar's open. */
export function handLoopBars(n: number): { trades: number; equity: number } {
  const loop = new HandLoop('10000');
  let equity = 0;
  for (let i = 0; i < n; i++) {
    const bar = barAt(i);
    const open = dec(bar.open);
    loop.onPrice(open, open);
    const close = dec(bar.close);
    loop.onClose(close, close);
    equity = loop.mark(close);
  }
  return { trades: loop.trades, equity };
}
