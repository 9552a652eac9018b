import { describe, expect, it } from 'vitest';
import { defineStrategy, type StrategyDefinition } from '@bourse/strategy';
import { z } from 'zod';
import { captureTicks, type CapturedMarketEvent } from '../data/capture-ticks.js';
import { runTickBacktest } from './run-backtest.js';
import type { BacktestSpec, TickEvent } from './spec.js';

// Quote and trade ticks, hand-computed: a strategy buys 10 on its 2nd event and sells 10 on its 4th.

function countingStrategy(on: 'quote' | 'trade'): StrategyDefinition {
  return defineStrategy({
    name: 'counting',
    version: '1.0.0',
    params: z.strictObject({}),
    timeframes: [],
    evaluation: { mode: 'event', throttleMs: 0 },
    create() {
      let n = 0;
      const act = (symbol: string) => {
        n++;
        if (n === 2) return [{ instrument: symbol, side: 'BUY' as const, qty: '10', style: 'market' as const }];
        if (n === 4) return [{ instrument: symbol, side: 'SELL' as const, qty: '10', style: 'market' as const }];
        return [];
      };
      return on === 'quote' ? { onQuote: (q) => act(q.instrument) } : { onTrade: (t) => act(t.instrument) };
    },
  }) as StrategyDefinition;
}

const spec = (on: 'quote' | 'trade', latencyMs = 0): BacktestSpec => ({
  strategy: countingStrategy(on),
  params: {},
  symbol: 'BTC/USDT',
  cash: '10000',
  execution: { tick: '0.01', lot: '0.001', latencyMs },
  longShort: false,
  barMs: 60_000,
});

const q = (time: number, bid: string, ask: string): TickEvent => ({
  kind: 'quote',
  time,
  bidPrice: bid,
  askPrice: ask,
  bidQty: '5',
  askQty: '5',
});
const QUOTES = [
  q(1000, '99', '101'),
  q(2000, '100', '102'),
  q(3000, '104', '106'),
  q(4000, '103', '105'),
  q(5000, '107', '109'),
];

describe('tick backtests', () => {
  it('quotes: a BUY pays the ask and a SELL gets the bid of the quote it meets', async () => {
    const r = await runTickBacktest(spec('quote'), QUOTES);
    // Latency 0: the orders meet the quote the strategy decided on: BUY at 102 (t=2000), SELL at 103 (t=4000).
    expect(r.trades.map((t) => [t.entryTime, t.entryPrice, t.exitTime, t.exitPrice, t.pnl])).toEqual([
      [2000, '102', 4000, '103', '10'],
    ]);
  });

  it('quotes with latency: the first quote at or after arrival; what is open at the end closes at the last quote', async () => {
    const r = await runTickBacktest(spec('quote', 1500), QUOTES);
    // BUY decided at 2000 arrives 3500: ask 105 at 4000. SELL decided at 4000 arrives 5500: no quote
    // comes; the closeout sells at the last bid, 107.
    expect(r.trades.map((t) => [t.entryTime, t.entryPrice, t.exitPrice, t.pnl])).toEqual([[4000, '105', '107', '20']]);
    expect(r.closeout).toEqual({
      time: 5000,
      price: '107',
      qty: '10',
      side: 'SELL',
      priceSource: "the last quote's bid",
    });
  });

  it('trades: orders fill at the trade price they meet', async () => {
    const trades: TickEvent[] = ['100', '101', '103', '102', '104'].map((price, i) => ({
      kind: 'trade',
      time: 1000 * (i + 1),
      price,
      qty: '1',
      aggressor: 'BUY',
      id: String(i),
    }));
    const r = await runTickBacktest(spec('trade'), trades);
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice, t.pnl])).toEqual([['101', '102', '10']]);
  });

  it('a capture feeds the same engine: its quotes and trades of the instrument, at their receive times', async () => {
    async function* capture(): AsyncGenerator<CapturedMarketEvent> {
      for (const t of QUOTES) {
        if (t.kind !== 'quote') continue;
        const message = {
          v: 1,
          venue: 'binance',
          instrument: 'BTC/USDT',
          bidPrice: t.bidPrice,
          bidQty: '5',
          askPrice: t.askPrice,
          askQty: '5',
          receivedAt: t.time,
        };
        yield { receivedAt: t.time, event: { kind: 'quote', message } };
        yield {
          receivedAt: t.time,
          event: { kind: 'quote', message: { ...message, instrument: 'ETH/USDT', bidPrice: '1', askPrice: '2' } },
        };
        yield { receivedAt: t.time, event: { kind: 'status', message: {} } };
      }
    }
    const r = await runTickBacktest(spec('quote'), captureTicks(capture(), 'BTC/USDT'));
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice])).toEqual([['102', '103']]);
  });
});
