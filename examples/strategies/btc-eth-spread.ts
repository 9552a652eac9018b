import { z } from 'zod';
import {
  BollingerBands,
  defineStrategy,
  TimeframeLabel,
  type IntentDraft,
  type StrategyContext,
} from '@bourse/strategy';

// A user's own strategy that trades two instruments as one unit (issue 21 § 4): mean reversion of the
// spread between two legs, by default BTC/USDT and ETH/USDT, as the strategies file lists them (the
// first is leg A, the second leg B). One instance sees both legs; `onBars` gets their closed bars lined
// up by time. The spread is log(close A) − log(close B); when it strays `entryZ` standard deviations
// from its `period`-bar mean, the strategy bets on its return:
// - long-short: spread high → SELL A and BUY B; spread low → BUY A and SELL B; both legs closed
//   (reduce-only) once it is back within `exitZ`.
// - long-only (spot without inventory to sell): spread high → BUY B (the cheap leg); spread low → BUY A;
//   sold back within `exitZ`.
// It waits while any of its orders is open, and remembers its side in its state, so a restart or a
// hand-over does not enter twice. It imports only what the loader hands a strategy.
export default defineStrategy({
  name: 'btc-eth-spread',
  version: '0.1.0',
  unit: { minInstruments: 2, maxInstruments: 2 },
  params: z.strictObject({
    period: z.number().int().min(2).default(20),
    entryZ: z.number().positive().default(1.5),
    exitZ: z.number().nonnegative().default(0.25),
    // Decimal strings (a number from `--param qtyA=0.1` is taken as its decimal text).
    qtyA: z.coerce
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0.001'),
    qtyB: z.coerce
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0.01'),
    mode: z.enum(['long-short', 'long-only']).default('long-short'),
    timeframe: TimeframeLabel.default('1s'),
  }),
  timeframes: (p) => [p.timeframe],
  evaluation: { mode: 'event', throttleMs: 0 },
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.period }],
  create(p, setup) {
    const [a, b] = setup.instruments as [string, string];
    const bands = new BollingerBands(p.period, 1);
    return {
      onBars(window, ctx) {
        const closeA = window.bars[a]!.close;
        const closeB = window.bars[b]!.close;
        const spread = Math.log(closeA) - Math.log(closeB);
        const band = bands.update(spread);
        if (band === undefined) return [];
        const sd = band.upper - band.middle;
        const z = sd > 0 ? (spread - band.middle) / sd : 0;
        const inputs = {
          spread: spread.toFixed(8),
          z: z.toFixed(4),
          closeA: String(closeA),
          closeB: String(closeB),
          barTime: String(window.openTime),
        };
        if (ctx.openOrders().length > 0) return [];
        const held = ctx.state['side'] ?? 'flat';
        if (held === 'flat') {
          if (z > p.entryZ) return enter('short', inputs);
          if (z < -p.entryZ) return enter('long', inputs);
          return [];
        }
        if (Math.abs(z) <= p.exitZ) {
          return { intents: [...close(ctx, a, inputs), ...close(ctx, b, inputs)], state: { side: 'flat' } };
        }
        return [];
      },
    };

    /** Long the spread: A up against B. Short: the reverse. */
    function enter(side: 'long' | 'short', inputs: Record<string, string>) {
      const buyA = side === 'long';
      const legs: IntentDraft[] =
        p.mode === 'long-short'
          ? [
              { instrument: a, side: buyA ? 'BUY' : 'SELL', qty: p.qtyA, style: 'market', inputs },
              { instrument: b, side: buyA ? 'SELL' : 'BUY', qty: p.qtyB, style: 'market', inputs },
            ]
          : [{ instrument: buyA ? a : b, side: 'BUY', qty: buyA ? p.qtyA : p.qtyB, style: 'market', inputs }];
      return { intents: legs, state: { side } };
    }
  },
});

/** The intent that brings one leg back to flat (reduce-only), if it holds anything. */
function close(ctx: StrategyContext, symbol: string, inputs: Record<string, string>): IntentDraft[] {
  const qty = ctx.position(symbol).qty;
  if (qty === '0' || /^-?0(\.0*)?$/.test(qty)) return [];
  const short = qty.startsWith('-');
  return [
    {
      instrument: symbol,
      side: short ? 'BUY' : 'SELL',
      qty: short ? qty.slice(1) : qty,
      style: 'market',
      reduceOnly: true,
      inputs,
    },
  ];
}
