import { z } from 'zod';
import { defineStrategy, Sma, TimeframeLabel, type IntentDraft } from '@bourse/strategy';

// A user's own strategy, as it sits in the user's strategies folder (this folder is the example that
// docker-compose.yml mounts with BOURSE_STRATEGIES_DIR=./examples/strategies). Mean reversion on one
// instrument: buy when the close falls `band` below its simple moving average, sell the position back
// at the average. It imports only what the loader hands a strategy (@bourse/strategy, zod), so the
// folder needs no node_modules and no build step.
export default defineStrategy({
  name: 'mean-revert',
  version: '0.1.0', // recorded on every intent; strategies.yaml names the same version
  params: z.strictObject({
    period: z.number().int().min(2).default(20),
    band: z.number().positive().max(0.5).default(0.001),
    qty: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0.01'),
    timeframe: TimeframeLabel.default('1s'),
  }),
  timeframes: (p) => [p.timeframe],
  evaluation: { mode: 'event', throttleMs: 0 },
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.period }],
  create(p) {
    const sma = new Sma(p.period);
    return {
      onBar(bar, ctx): IntentDraft[] {
        const mean = sma.update(bar.close);
        if (mean === undefined) return [];
        const held = ctx.position(bar.symbol).qty;
        const inputs = { close: String(bar.close), sma: mean.toFixed(6), barTime: String(bar.openTime) };
        if (held === '0' && bar.close < mean * (1 - p.band)) {
          return [{ instrument: bar.symbol, side: 'BUY', qty: p.qty, style: 'market', inputs }];
        }
        if (held !== '0' && !held.startsWith('-') && bar.close >= mean) {
          return [{ instrument: bar.symbol, side: 'SELL', qty: held, style: 'market', reduceOnly: true, inputs }];
        }
        return [];
      },
    };
  },
});
