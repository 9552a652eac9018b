import { describe, expect, it } from 'vitest';
import type { ClosedTrade } from '../types.js';
import { dec } from '@bourse/domain';
import { targetFor, targetPositionOrders } from '@bourse/strategy';
import { runBacktest } from './run-backtest.js';
import type { BacktestResult } from './spec.js';
import { DAY, D1, dailyBars, market, scriptedSpec, type ScriptStep } from '../testing.js';

// Each execution assumption on five daily bars, against numbers worked out by hand in the comments.
// Bars (2024-01-01 … 05), O H L C V:
//   d1 100 110  90 105 1000
//   d2 106 112 100 110 1000
//   d3 111 115  95 100 1000
//   d4  99 105  92 104 1000
//   d5 103 108 101 107 1000
// A bar's close is seen (and decided on) at its close time, the next day 00:00 UTC.
const ROWS = [
  [100, 110, 90, 105, 1000],
  [106, 112, 100, 110, 1000],
  [111, 115, 95, 100, 1000],
  [99, 105, 92, 104, 1000],
  [103, 108, 101, 107, 1000],
] as const;
const day = (n: number) => D1 + (n - 1) * DAY;

async function run(script: Record<number, ScriptStep>, overrides: Parameters<typeof scriptedSpec>[1] = {}) {
  return runBacktest(scriptedSpec(script, overrides), await dailyBars(ROWS));
}

/** The fields a hand computation gives, exact. */
function brief(t: ClosedTrade) {
  return {
    side: t.side,
    qty: t.qty,
    entryTime: t.entryTime,
    entryPrice: t.entryPrice,
    exitTime: t.exitTime,
    exitPrice: t.exitPrice,
    pnl: t.pnl,
    fees: t.fees,
  };
}

function finalEquity(r: BacktestResult): number {
  return r.curve[r.curve.length - 1]!.equity;
}

// Buy 10 on d1's close, sell 10 on d3's close.
const ROUND_TRIP = { 0: market('BUY', '10'), 2: market('SELL', '10') };

describe('backtest execution assumptions (hand-computed)', () => {
  it('--fill next-open: decided at a close, filled at the next open', async () => {
    const r = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', fill: 'next-open' } });
    // Buy at d2 open 106, sell at d4 open 99: 10 × (99 − 106) = −70.
    expect(r.trades.map(brief)).toEqual([
      {
        side: 'BUY',
        qty: '10',
        entryTime: day(2),
        entryPrice: '106',
        exitTime: day(4),
        exitPrice: '99',
        pnl: '-70',
        fees: '0',
      },
    ]);
    expect(finalEquity(r)).toBe(9930);
    expect(r.closeout).toBeUndefined();
  });

  it('--fill close: filled at the close of the bar decided on', async () => {
    const r = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', fill: 'close' } });
    // Buy at d1 close 105, sell at d3 close 100 (each stamped at the close time, the next day 00:00).
    expect(r.trades.map(brief)).toEqual([
      {
        side: 'BUY',
        qty: '10',
        entryTime: day(2),
        entryPrice: '105',
        exitTime: day(4),
        exitPrice: '100',
        pnl: '-50',
        fees: '0',
      },
    ]);
    expect(finalEquity(r)).toBe(9950);
  });

  it('spread: a BUY pays the ask, a SELL gets the bid, half the spread each side of the price', async () => {
    const r = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', spreadBps: '100' } });
    // Half spread 50 bps: ask 106 × 1.005 = 106.53; bid 99 × 0.995 = 98.505 → 98.50 (tick, against us).
    const [t] = r.trades;
    expect([t!.entryPrice, t!.exitPrice, t!.pnl]).toEqual(['106.53', '98.5', '-80.3']);
  });

  it('commission: a flat rate of the traded value on entry and on exit', async () => {
    const r = await run(ROUND_TRIP, {
      execution: { tick: '0.01', lot: '1', makerFeeRate: '0.001', takerFeeRate: '0.001' },
    });
    // 1060 × 0.001 = 1.06 and 990 × 0.001 = 0.99: fees 2.05, pnl −70 − 2.05.
    expect(r.trades.map((t) => [t.fees, t.pnl])).toEqual([['2.05', '-72.05']]);
    expect(r.stats.feesPaid).toBe('2.05');
    expect(finalEquity(r)).toBeCloseTo(9927.95, 9);
  });

  it('commission: maker/taker rates, market orders pay the taker rate', async () => {
    const r = await run(ROUND_TRIP, {
      execution: { tick: '0.01', lot: '1', makerFeeRate: '0.0005', takerFeeRate: '0.002' },
    });
    // 1060 × 0.002 = 2.12, 990 × 0.002 = 1.98.
    expect(r.trades.map((t) => t.fees)).toEqual(['4.1']);
  });

  it('slippage, fixed bps: against the taker, rounded to the tick against the taker', async () => {
    const r = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', slippageBps: '20' } });
    // 106 × 1.002 = 106.212 → 106.22; 99 × 0.998 = 98.802 → 98.80.
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice, t.pnl])).toEqual([['106.22', '98.8', '-74.2']]);
  });

  it('slippage proportional to size over volume, on top of the fixed part', async () => {
    const only = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', slippageImpact: '0.5' } });
    // 0.5 × 10 / 1000 = 0.005: 106 × 1.005 = 106.53; 99 × 0.995 = 98.505 → 98.50.
    expect(only.trades.map((t) => [t.entryPrice, t.exitPrice])).toEqual([['106.53', '98.5']]);
    const both = await run(ROUND_TRIP, {
      execution: { tick: '0.01', lot: '1', slippageBps: '20', slippageImpact: '0.5' },
    });
    // 0.002 + 0.005 = 0.007: 106 × 1.007 = 106.742 → 106.75; 99 × 0.993 = 98.307 → 98.30.
    expect(both.trades.map((t) => [t.entryPrice, t.exitPrice])).toEqual([['106.75', '98.3']]);
  });

  it('latency: an order decided at t reaches the venue at t + latency and meets the first price after', async () => {
    const nextOpen = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', latencyMs: 12 * 3_600_000 } });
    // Decided d2 00:00, arrives d2 12:00: d2's open is gone, fills at d3 open 111; the sell (d4 00:00 →
    // 12:00) at d5 open 103.
    expect(nextOpen.trades.map(brief)).toEqual([
      {
        side: 'BUY',
        qty: '10',
        entryTime: day(3),
        entryPrice: '111',
        exitTime: day(5),
        exitPrice: '103',
        pnl: '-80',
        fees: '0',
      },
    ]);
    const close = await run(ROUND_TRIP, {
      execution: { tick: '0.01', lot: '1', fill: 'close', latencyMs: 12 * 3_600_000 },
    });
    // --fill close: arriving at d2 12:00, the first price is d2's close 110 (at d3 00:00); sell at d4's close 104.
    expect(close.trades.map((t) => [t.entryTime, t.entryPrice, t.exitTime, t.exitPrice])).toEqual([
      [day(3), '110', day(5), '104'],
    ]);
    const ms = await run(ROUND_TRIP, { execution: { tick: '0.01', lot: '1', latencyMs: 250 } });
    // Contiguous bars: the next open is at the very instant of the decision, so any latency misses it.
    expect(ms.trades.map((t) => [t.entryPrice, t.exitPrice])).toEqual([['111', '103']]);
  });

  it('limit orders fill on the bar range at the limit, or at the open when it gapped through', async () => {
    const r = await run(
      {
        // d2: low 100 ≤ 101 → BUY at 101 (maker). d4 high 105 < 106, d5 high 108 ≥ 106 → SELL at 106.
        0: () => [{ side: 'BUY', qty: '10', style: 'limit', price: '101', timeInForce: 'GTC' }],
        2: () => [{ side: 'SELL', qty: '10', style: 'limit', price: '106', timeInForce: 'GTC' }],
      },
      { execution: { tick: '0.01', lot: '1', makerFeeRate: '0.001', takerFeeRate: '0.002' } },
    );
    // Maker fees 1010 × 0.001 + 1060 × 0.001 = 2.07; pnl 50 − 2.07.
    expect(r.trades.map(brief)).toEqual([
      {
        side: 'BUY',
        qty: '10',
        entryTime: day(2) + DAY - 1,
        entryPrice: '101',
        exitTime: day(5) + DAY - 1,
        exitPrice: '106',
        pnl: '47.93',
        fees: '2.07',
      },
    ]);
    const gap = await run(
      {
        // The BUY limit at 120 is through d2's open 106: filled at the open, as a taker (0.002 × 1060 = 2.12).
        0: () => [{ side: 'BUY', qty: '10', style: 'limit', price: '120', timeInForce: 'GTC' }],
      },
      { execution: { tick: '0.01', lot: '1', makerFeeRate: '0.001', takerFeeRate: '0.002' } },
    );
    expect(gap.trades.map((t) => [t.entryTime, t.entryPrice])).toEqual([[day(2), '106']]);
    // 2.12, plus the closeout of 10 at d5's close 107 as a taker: 1070 × 0.002 = 2.14.
    expect(gap.stats.feesPaid).toBe('4.26');
  });

  it('stop orders trigger on the bar range at the stop, or at the open when it gapped through', async () => {
    const r = await run({
      // BUY stop 111: d2 high 112 ≥ 111 → 111. SELL stop 96 (decided d2's close): d3 low 95 ≤ 96 → 96.
      0: () => [{ side: 'BUY', qty: '10', style: 'stop', stopPrice: '111' }],
      1: () => [{ side: 'SELL', qty: '10', style: 'stop', stopPrice: '96' }],
    });
    expect(r.trades.map((t) => [t.entryTime, t.entryPrice, t.exitTime, t.exitPrice, t.pnl])).toEqual([
      [day(2) + DAY - 1, '111', day(3) + DAY - 1, '96', '-150'],
    ]);
    const gap = await run({
      // Long 10 at d2 open 106; SELL stop 102 decided at d3's close: d4 opens at 99, below it → 99.
      0: market('BUY', '10'),
      2: () => [{ side: 'SELL', qty: '10', style: 'stop', stopPrice: '102' }],
    });
    expect(gap.trades.map((t) => [t.exitTime, t.exitPrice])).toEqual([[day(4), '99']]);
  });

  it('fraction-of-equity sizing: against the cash at the fill, the fee included, rounded down to the lot', async () => {
    const all =
      (fraction: string): ScriptStep =>
      (ctx) => [{ side: 'BUY', quoteQty: dec(ctx.equity!).times(dec(fraction)).toString(), style: 'market' }];
    const whole = await run(
      { 0: all('1'), 2: market('SELL', '94') },
      {
        execution: { tick: '0.01', lot: '1', makerFeeRate: '0.001', takerFeeRate: '0.001' },
      },
    );
    // 10000 / (106 × 1.001) = 94.24… → 94 units; fee 9.964; sell 94 at 99, fee 9.306.
    // Final: 10000 − 9964 − 9.964 + 9306 − 9.306 = 9322.73.
    expect(whole.trades.map((t) => [t.qty, t.entryPrice, t.fees])).toEqual([['94', '106', '19.27']]);
    expect(finalEquity(whole)).toBeCloseTo(9322.73, 9);
    const half = await run({ 0: all('0.5') }, { execution: { tick: '0.01', lot: '0.1' } });
    // 5000 / 106 = 47.169… → 47.1 at lot 0.1.
    expect(half.trades.map((t) => t.qty)).toEqual(['47.1']);
  });

  it('long/short: a signal against the position closes it, then opens the other side with the freed cash', async () => {
    const target =
      (direction: 'long' | 'short'): ScriptStep =>
      (ctx, bar) => {
        const sized = targetFor(direction, { kind: 'fraction', fraction: '1' }, ctx.equity);
        const mode = (ctx.state['mode'] ?? 'long-short') as 'long-short';
        return targetPositionOrders(dec(ctx.position(bar.symbol).qty), sized.target, mode).map((leg) => ({
          side: leg.side,
          ...(leg.qty !== undefined ? { qty: leg.qty } : { quoteQty: leg.quoteQty! }),
          style: 'market' as const,
          reduceOnly: leg.reduceOnly,
        }));
      };
    const script = { 0: target('long'), 2: target('short') };
    const flip = await run(script, { longShort: true });
    // Long: 10000 / 106 → 94, cash 36. At d3's close equity 36 + 94 × 100 = 9436: sell 94 at d4 open 99
    // (cash 9342), then short min(9436, 9342) / 99 → 94 at 99. Closed at the end at d5's close 107.
    expect(flip.trades.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice, t.pnl])).toEqual([
      ['BUY', '94', '106', '99', '-658'],
      ['SELL', '94', '99', '107', '-752'],
    ]);
    expect(finalEquity(flip)).toBe(8590);
    expect(flip.closeout).toEqual({
      time: day(5),
      price: '107',
      qty: '94',
      side: 'BUY',
      priceSource: "the last bar's close",
    });
  });

  it('long-only: the same short signal only closes the long', async () => {
    const script: Record<number, ScriptStep> = {
      0: (ctx, bar) =>
        targetPositionOrders(
          dec(ctx.position(bar.symbol).qty),
          targetFor('long', { kind: 'fraction', fraction: '1' }, ctx.equity).target,
          'long-only',
        ).map((leg) => ({ side: leg.side, quoteQty: leg.quoteQty!, style: 'market' as const })),
      2: (ctx, bar) =>
        targetPositionOrders(
          dec(ctx.position(bar.symbol).qty),
          targetFor('short', { kind: 'fraction', fraction: '1' }, ctx.equity).target,
          'long-only',
        ).map((leg) => ({ side: leg.side, qty: leg.qty!, style: 'market' as const, reduceOnly: leg.reduceOnly })),
    };
    const r = await run(script);
    expect(r.trades.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice])).toEqual([['BUY', '94', '106', '99']]);
    expect(r.closeout).toBeUndefined();
    expect(finalEquity(r)).toBe(9342);
  });

  it('a long-only venue refuses to sell what is not held', async () => {
    const r = await run({ 0: market('SELL', '10') });
    expect(r.trades).toEqual([]);
    expect(r.rejections.join('\n')).toMatch(/long-only|not hold|held/);
  });

  it('a position open at the end is closed at the last bar close, and the result says so', async () => {
    const r = await run({ 0: market('BUY', '10'), 4: market('SELL', '10') });
    // The SELL decided on the last bar never meets a price; the closeout sells at d5's close 107, and
    // the trade ends on d5, the last bar (not at its close time, the day after the data ends).
    expect(r.trades.map((t) => [t.entryPrice, t.exitTime, t.exitPrice, t.pnl])).toEqual([['106', day(5), '107', '10']]);
    expect(r.closeout).toEqual({
      time: day(5),
      price: '107',
      qty: '10',
      side: 'SELL',
      priceSource: "the last bar's close",
    });
    expect(r.stats.tradeCount).toBe(1);
    expect(finalEquity(r)).toBe(10010);
  });

  it('a fraction of equity is resolved at the fill: an open that gaps after the signal changes the size', async () => {
    // d1 100 flat; d2 opens 100, closes 120; d3 gaps down to open 80; d4 closes 90.
    const rows = [
      [100, 100, 100, 100, 1000],
      [100, 120, 100, 120, 1000],
      [80, 85, 80, 85, 1000],
      [85, 90, 85, 90, 1000],
    ] as const;
    const target =
      (direction: 'long' | 'short', withFraction: boolean): ScriptStep =>
      (ctx, bar) => {
        const sized = targetFor(direction, { kind: 'fraction', fraction: '1' }, ctx.equity);
        return targetPositionOrders(dec(ctx.position(bar.symbol).qty), sized.target, 'long-short').map((leg) => ({
          side: leg.side,
          ...(leg.qty !== undefined ? { qty: leg.qty } : { quoteQty: leg.quoteQty! }),
          style: 'market' as const,
          reduceOnly: leg.reduceOnly,
          // The SDK's sizing rule records the fraction; without it a quoteQty is a fixed notional.
          inputs: withFraction ? sized.inputs : {},
        }));
      };
    const spec = (withFraction: boolean) =>
      scriptedSpec({ 0: target('short', withFraction), 1: target('long', withFraction) }, { longShort: true });
    // Short 10000 / 100 = 100 at d2's open (cash 20000). At d2's close equity is 20000 − 100 × 120 = 8000
    // and the strategy asks for a long of all of it. d3 opens at 80: the closing leg buys 100 back at 80,
    // leaving cash 12000, all of the equity at the fill, which buys 12000 / 80 = 150 (backtesting.py's
    // rule). The quote amount fixed at the decision, 8000, would have bought only 100.
    const atFill = await runBacktest(spec(true), await dailyBars(rows));
    expect(atFill.trades.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice, t.pnl])).toEqual([
      ['SELL', '100', '100', '80', '2000'],
      ['BUY', '150', '80', '90', '1500'],
    ]);
    expect(finalEquity(atFill)).toBe(13500);
    const fixedNotional = await runBacktest(spec(false), await dailyBars(rows));
    expect(fixedNotional.trades.map((t) => [t.side, t.qty])).toEqual([
      ['SELL', '100'],
      ['BUY', '100'],
    ]);
  });

  it('an order that no longer fits at the fill is cancelled, not part-filled', async () => {
    // Cash 100: all of it is asked at d1's close (105 would buy no whole unit either, but the strategy
    // sizes in quote); at the fill d2 opens at 106, and 100 buys no whole unit: cancelled, no trade.
    const r = await run(
      {
        0: (ctx) => [{ side: 'BUY', quoteQty: ctx.equity!, style: 'market', inputs: { sizeFraction: '1' } }],
      },
      { cash: '100' },
    );
    expect(r.trades).toEqual([]);
    expect(r.rejections.join('\n')).toMatch(/cancelled: the equity available at the fill buys less than one lot/);
  });
});
