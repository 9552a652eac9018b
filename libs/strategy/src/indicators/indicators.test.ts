import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Sma } from './sma.js';
import { Ema } from './ema.js';
import { Rsi } from './rsi.js';
import { BollingerBands } from './bollinger.js';
import { Atr } from './atr.js';
import { Vwap } from './vwap.js';
import { InvalidIndicatorInputError, InvalidIndicatorPeriodError, RollingWindow } from './window.js';

// Reference computations: the textbook formula recomputed from the whole history at every step.
// The incremental indicators must agree with them on any series.

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function refSma(xs: number[], n: number): (number | undefined)[] {
  return xs.map((_, i) => (i + 1 < n ? undefined : mean(xs.slice(i + 1 - n, i + 1))));
}

function refEma(xs: number[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let ema: number | undefined;
  xs.forEach((x, i) => {
    if (i + 1 < n) out.push(undefined);
    else if (i + 1 === n) out.push((ema = mean(xs.slice(0, n))));
    else out.push((ema = ema! + (2 / (n + 1)) * (x - ema!)));
  });
  return out;
}

function refRsi(xs: number[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = [undefined];
  let g = 0;
  let l = 0;
  for (let i = 1; i < xs.length; i++) {
    const d = xs[i]! - xs[i - 1]!;
    const gain = Math.max(d, 0);
    const loss = Math.max(-d, 0);
    if (i < n) {
      g += gain;
      l += loss;
      out.push(undefined);
      continue;
    }
    if (i === n) {
      g = (g + gain) / n;
      l = (l + loss) / n;
    } else {
      g = (g * (n - 1) + gain) / n;
      l = (l * (n - 1) + loss) / n;
    }
    out.push(l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  }
  return out;
}

function refBollinger(xs: number[], n: number, k: number) {
  return xs.map((_, i) => {
    if (i + 1 < n) return undefined;
    const w = xs.slice(i + 1 - n, i + 1);
    const m = mean(w);
    const sd = Math.sqrt(mean(w.map((x) => (x - m) ** 2)));
    return { middle: m, upper: m + k * sd, lower: m - k * sd };
  });
}

const close = (a: number | undefined, b: number | undefined, scale = 1) => {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(scale));
};

const prices = fc.array(fc.double({ min: 1, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 });
const period = fc.integer({ min: 1, max: 40 });

describe('incremental indicators agree with reference computations', () => {
  it('SMA', () => {
    fc.assert(
      fc.property(prices, period, (xs, n) => {
        const sma = new Sma(n);
        const ref = refSma(xs, n);
        xs.forEach((x, i) => expect(close(sma.update(x), ref[i], x)).toBe(true));
      }),
    );
  });

  it('EMA', () => {
    fc.assert(
      fc.property(prices, period, (xs, n) => {
        const ema = new Ema(n);
        const ref = refEma(xs, n);
        xs.forEach((x, i) => expect(close(ema.update(x), ref[i], x)).toBe(true));
      }),
    );
  });

  it('RSI', () => {
    fc.assert(
      fc.property(prices, period, (xs, n) => {
        const rsi = new Rsi(n);
        const ref = refRsi(xs, n);
        xs.forEach((x, i) => {
          const v = rsi.update(x);
          expect(close(v, ref[i], 100)).toBe(true);
          if (v !== undefined) expect(v).toBeGreaterThanOrEqual(0);
          if (v !== undefined) expect(v).toBeLessThanOrEqual(100);
        });
      }),
    );
  });

  it('Bollinger bands', () => {
    fc.assert(
      fc.property(prices, period, fc.double({ min: 0.5, max: 3, noNaN: true }), (xs, n, k) => {
        const bb = new BollingerBands(n, k);
        const ref = refBollinger(xs, n, k);
        xs.forEach((x, i) => {
          const v = bb.update(x);
          const r = ref[i];
          expect(v === undefined).toBe(r === undefined);
          if (v && r) {
            // Running sums of squares lose a little more precision than the mean: compare relative to price².
            const tol = 1e-6 * Math.max(1, x);
            expect(Math.abs(v.middle - r.middle)).toBeLessThan(tol);
            expect(Math.abs(v.upper - r.upper)).toBeLessThan(tol * 10);
            expect(Math.abs(v.lower - r.lower)).toBeLessThan(tol * 10);
          }
        });
      }),
    );
  });

  it('ATR on bars', () => {
    const bar = fc
      .tuple(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([low, range, at]) => ({ high: low + range, low, close: low + range * at }));
    fc.assert(
      fc.property(fc.array(bar, { minLength: 1, maxLength: 200 }), period, (bars, n) => {
        const atr = new Atr(n);
        const trs = bars.map((b, i) =>
          i === 0
            ? b.high - b.low
            : Math.max(b.high - b.low, Math.abs(b.high - bars[i - 1]!.close), Math.abs(b.low - bars[i - 1]!.close)),
        );
        let ref: number | undefined;
        bars.forEach((b, i) => {
          if (i + 1 === n) ref = mean(trs.slice(0, n));
          else if (i + 1 > n) ref = (ref! * (n - 1) + trs[i]!) / n;
          expect(close(atr.update(b.high, b.low, b.close), ref, 1000)).toBe(true);
        });
      }),
    );
  });

  it('VWAP restarts each session', () => {
    const vwap = new Vwap();
    const day = 86_400_000;
    expect(vwap.update(100, 1, 0)).toBe(100);
    expect(vwap.update(110, 3, 1000)).toBe((100 + 330) / 4);
    expect(vwap.update(50, 2, day + 1)).toBe(50);
    expect(vwap.update(60, 0, day + 2)).toBe(50);
  });
});

describe('known values', () => {
  it('SMA and EMA of 1..10 with period 3', () => {
    const sma = new Sma(3);
    const ema = new Ema(3);
    const smas = [1, 2, 3, 4, 5].map((x) => sma.update(x));
    const emas = [1, 2, 3, 4, 5].map((x) => ema.update(x));
    expect(smas).toEqual([undefined, undefined, 2, 3, 4]);
    expect(emas).toEqual([undefined, undefined, 2, 3, 4]);
  });

  it('RSI of a rising series is 100 and of a flat one 50', () => {
    const up = new Rsi(3);
    [1, 2, 3, 4, 5].forEach((x) => up.update(x));
    expect(up.value).toBe(100);
    const flat = new Rsi(3);
    [7, 7, 7, 7].forEach((x) => flat.update(x));
    expect(flat.value).toBe(50);
  });

  it('Bollinger of a flat series collapses onto the mean', () => {
    const bb = new BollingerBands(4, 2);
    [5, 5, 5, 5].forEach((x) => bb.update(x));
    expect(bb.value).toEqual({ middle: 5, upper: 5, lower: 5, stdDev: 0 });
  });
});

describe('bounded memory and bad input', () => {
  it('a long run keeps only the lookback and stays accurate', () => {
    const sma = new Sma(20);
    let x = 1000;
    const last: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      x += Math.sin(i) * 3;
      sma.update(x);
      last.push(x);
      if (last.length > 20) last.shift();
    }
    expect(Math.abs(sma.value! - mean(last))).toBeLessThan(1e-9);
  });

  it('rejects NaN, infinities, bad periods and impossible bars', () => {
    expect(() => new Sma(0)).toThrow(InvalidIndicatorPeriodError);
    expect(() => new Ema(2.5)).toThrow(InvalidIndicatorPeriodError);
    expect(() => new Sma(3).update(Number.NaN)).toThrow(InvalidIndicatorInputError);
    expect(() => new Rsi(3).update(Number.POSITIVE_INFINITY)).toThrow(InvalidIndicatorInputError);
    expect(() => new Atr(3).update(1, 2, 1.5)).toThrow(/high below low/);
    expect(() => new Vwap().update(1, -1, 0)).toThrow(/negative volume/);
  });

  it('the rolling window evicts oldest first', () => {
    const w = new RollingWindow(2);
    expect(w.push(1)).toBeUndefined();
    expect(w.push(2)).toBeUndefined();
    expect(w.push(3)).toBe(1);
    expect([w.at(0), w.at(1)]).toEqual([2, 3]);
  });
});
