import { describe, expect, it } from 'vitest';
import type { Bar } from '../data/bars.js';
import { defineStrategy, type StrategyContext, type StrategyDefinition } from '@bourse/strategy';
import { z } from 'zod';
import { runBacktest } from './run-backtest.js';
import { dailyBars, scriptedSpec } from '../testing.js';

// No look-ahead. Bar k's prices all lie in [1000k, 1000k + 500), so every price a strategy can observe
// names the bar it came from. A strategy that reads everything the SDK offers (closed bars, trades, quotes,
// fills, on every handler) must never observe a price of a bar that had not opened at its
// `now`, nor a closed bar before its close; and when it sees bar k, the engine has not even read bar
// k + 1 from the input.

const N = 12;
const ROWS = Array.from({ length: N }, (_, k) => {
  const base = 1000 * (k + 1);
  // Alternating gaps: a strategy that knew the next open would buy before every gap up.
  return [base + 100, base + 400, base + 10, base + (k % 2 === 0 ? 390 : 20), 50] as const;
});
const barOf = (price: number) => Math.floor(price / 1000) - 1;

interface Observation {
  readonly now: number;
  readonly what: string;
  readonly price: number;
  /** For a closed bar: its close time. */
  readonly closedAt?: number;
  /** Bars the engine had read from the input when the strategy observed this. */
  readonly pulled: number;
}

function peekingStrategy(log: Observation[], pulled: () => number): StrategyDefinition {
  const see = (ctx: StrategyContext, what: string, price: number, closedAt?: number) =>
    log.push({ now: ctx.now, what, price, pulled: pulled(), ...(closedAt !== undefined ? { closedAt } : {}) });
  const quote = (ctx: StrategyContext) => {
    const q = ctx.quote('TEST/USD');
    if (q !== undefined) see(ctx, 'quote', Number(q.askPrice));
  };
  return defineStrategy({
    name: 'peeker',
    version: '1.0.0',
    params: z.strictObject({ timeframe: z.string().default('1d') }),
    timeframes: ['1d'],
    evaluation: { mode: 'event', throttleMs: 0 },
    create() {
      return {
        onBar(bar, ctx) {
          see(ctx, `${bar.state} bar high`, bar.high, bar.state === 'closed' ? bar.closeTime : undefined);
          quote(ctx);
          // Try to profit from the next gap: buy on every bar, sell on the next.
          const held = Number(ctx.position(bar.symbol).qty);
          if (bar.state !== 'closed') return [];
          return [{ instrument: bar.symbol, side: held > 0 ? 'SELL' : 'BUY', qty: '1', style: 'market' }];
        },
        onTrade(trade, ctx) {
          see(ctx, 'trade', Number(trade.price));
          quote(ctx);
          return [];
        },
        onQuote(q, ctx) {
          see(ctx, 'quote event', Number(q.askPrice));
          return [];
        },
        onFill(fill, ctx) {
          see(ctx, 'fill', Number(fill.price));
          quote(ctx);
          return [];
        },
      };
    },
  }) as StrategyDefinition;
}

async function* counted(bars: Bar[], counter: { n: number }): AsyncGenerator<Bar> {
  for (const bar of bars) {
    counter.n++;
    yield bar;
  }
}

describe('no look-ahead', () => {
  it('a strategy never observes a price of a bar that has not opened, nor a bar before it closed', async () => {
    const bars = await dailyBars(ROWS);
    const log: Observation[] = [];
    const counter = { n: 0 };
    const spec = { ...scriptedSpec({}), strategy: peekingStrategy(log, () => counter.n) };
    const result = await runBacktest(spec, counted(bars, counter));

    expect(log.filter((o) => o.what === 'closed bar high')).toHaveLength(N);
    expect(log.some((o) => o.what === 'trade')).toBe(true);
    expect(log.some((o) => o.what === 'fill')).toBe(true);
    for (const o of log) {
      const k = barOf(o.price);
      // The bar the price belongs to had opened by then…
      expect(bars[k]!.time, `${o.what} ${o.price} seen at ${new Date(o.now).toISOString()}`).toBeLessThanOrEqual(o.now);
      // …and no later bar had even been read from the input.
      // …and no bar after the next one had been read (the next is read at the close, when its open is due).
      expect(o.pulled).toBeLessThanOrEqual(k + 2);
      if (o.closedAt !== undefined) expect(o.closedAt).toBeLessThanOrEqual(o.now);
    }
    // Every closed bar is seen while the engine holds only that bar of the input.
    for (const o of log.filter((x) => x.what === 'closed bar high')) expect(o.pulled).toBe(barOf(o.price) + 1);
    // Buying at each close to sell at the next (gap-up after even bars) earns nothing from the gaps:
    // every buy fills at the next open, after the gap, never before it.
    for (const t of result.trades) expect(barOf(Number(t.entryPrice))).toBeGreaterThan(0);
    for (const t of result.trades)
      expect(new Date(t.entryTime).getTime()).toBe(bars[barOf(Number(t.entryPrice))]!.time);
  });
});
