import { z } from 'zod';
import { dec } from '@bourse/domain';
import type { Bar } from '../bars/bar.js';
import { DecimalSma, compareSma } from '../indicators/decimal-sma.js';
import { TimeframeLabel, defineStrategy } from '../sdk/define-strategy.js';
import { decimalFromNumber } from '../sdk/numbers.js';
import { PositionModeParam, SizingParams, targetFor } from '../sizing/sizing-params.js';
import { targetPositionOrders } from '../sizing/target-position.js';
import type { IntentDraft, StrategyContext } from '../types.js';
import { barInputs, legsToDrafts } from './common.js';

export const SmaCrossParams = z
  .strictObject({
    /** Bars in the fast average. */
    fast: z.number().int().min(1),
    /** Bars in the slow average; more than fast. */
    slow: z.number().int().min(2),
    timeframe: TimeframeLabel.default('1m'),
    sizing: SizingParams,
    mode: PositionModeParam.default('long-only'),
  })
  .superRefine((p, ctx) => {
    if (p.fast >= p.slow) {
      ctx.addIssue({ code: 'custom', path: ['fast'], message: `must be less than slow (${p.slow}), got ${p.fast}` });
    }
  });
export type SmaCrossParams = z.infer<typeof SmaCrossParams>;

interface Averages {
  readonly fast: DecimalSma;
  readonly slow: DecimalSma;
}

/**
 * Moving-average crossover on closed bars. A cross is strict: the fast SMA below the slow one on the
 * previous closed bar and above it on this one (cross-up → long), or the reverse (cross-down → short,
 * or flat in long-only mode). Both are simple averages of closes, compared exactly in decimals, and
 * neither bar counts until both windows are full. Equality on either bar is not a cross.
 */
export const smaCross = defineStrategy({
  name: 'sma-cross',
  version: '1.0.0',
  description: 'Long on a strict cross-up of the fast SMA over the slow SMA of closes; short or flat on a cross-down.',
  params: SmaCrossParams,
  timeframes: (p) => [p.timeframe],
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.slow }],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(params) {
    const bySymbol = new Map<string, Averages>();
    const averagesOf = (symbol: string): Averages => {
      let a = bySymbol.get(symbol);
      if (a === undefined) {
        a = { fast: new DecimalSma(params.fast), slow: new DecimalSma(params.slow) };
        bySymbol.set(symbol, a);
      }
      return a;
    };

    return {
      onBar(bar: Bar, ctx: StrategyContext): IntentDraft[] {
        const { fast, slow } = averagesOf(bar.symbol);
        const close = decimalFromNumber(bar.close);
        const wasReady = slow.isReady; // fast < slow, so the slow window fills last
        const prevFast = fast.value();
        const prevSlow = slow.value();
        const before = wasReady ? compareSma(fast.sum, params.fast, slow.sum, params.slow) : 0;
        fast.update(close);
        slow.update(close);
        if (!wasReady) return [];
        const after = compareSma(fast.sum, params.fast, slow.sum, params.slow);

        const signal = before < 0 && after > 0 ? 'cross-up' : before > 0 && after < 0 ? 'cross-down' : undefined;
        if (signal === undefined) return [];

        const position = ctx.position(bar.symbol);
        const sized = targetFor(signal === 'cross-up' ? 'long' : 'short', params.sizing, ctx.equity);
        const legs = targetPositionOrders(dec(position.qty), sized.target, params.mode);
        return legsToDrafts(bar.symbol, legs, {
          signal,
          fast: fast.value()!.toString(),
          slow: slow.value()!.toString(),
          prevFast: prevFast!.toString(),
          prevSlow: prevSlow!.toString(),
          ...barInputs(bar, params.timeframe),
          position: position.qty,
          ...sized.inputs,
        });
      },
    };
  },
});
