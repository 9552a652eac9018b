import { z } from 'zod';
import { defineStrategy, type IntentDraft } from '@bourse/strategy';

// Figure 1's strategy (tick-to-trade latency), loaded by the strategy runner from the strategies file
// the bench writes (`module:`). It decides on a known fraction of the venue's trades: those whose trade
// id is a multiple of `every`. Each decision is a limit IOC buy 0.5 % under the trade's price, so it
// never crosses the simulated book and expires at the venue (no fills, no position for the risk gate to
// weigh), and its quantity carries the triggering trade's id: qty = base + (id / every mod 1000) lots.
// The bench finds each order at the simulator by that quantity and pairs its arrival time with the
// trade's time, both stamped by the simulator.
export const LOT = 0.00001;

export const t2tBench = defineStrategy({
  name: 't2t-bench',
  version: '0.1.0',
  params: z.strictObject({
    every: z.number().int().positive().default(10),
    baseLots: z.number().int().positive().default(100),
  }),
  // The runner holds intents until a complete bar of the strategy's timeframe has formed since it
  // started: the shortest one keeps that wait inside the warm-up.
  timeframes: () => ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(p) {
    return {
      onTrade(trade): IntentDraft[] {
        const id = BigInt(trade.venueTradeId);
        if (id % BigInt(p.every) !== 0n) return [];
        const code = Number((id / BigInt(p.every)) % 1000n);
        const qty = ((p.baseLots + code) * LOT).toFixed(5);
        const price = (Math.floor(Number(trade.price) * 0.995 * 100) / 100).toFixed(2);
        return [
          {
            instrument: trade.instrument,
            side: 'BUY',
            qty,
            style: 'limit',
            price,
            timeInForce: 'IOC',
            inputs: { tradeId: trade.venueTradeId, tradeTime: String(trade.venueTime) },
          },
        ];
      },
    };
  },
});
