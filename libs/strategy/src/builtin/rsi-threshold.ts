import { z } from 'zod';
import { dec } from '@bourse/domain';
import type { Bar } from '../bars/bar.js';
import { Rsi } from '../indicators/rsi.js';
import { TimeframeLabel, defineStrategy } from '../sdk/define-strategy.js';
import { numberInput } from '../sdk/numbers.js';
import { PositionModeParam, SizingParams, targetFor } from '../sizing/sizing-params.js';
import { targetPositionOrders } from '../sizing/target-position.js';
import type { IntentDraft, StrategyContext } from '../types.js';
import { barInputs, legsToDrafts } from './common.js';

export const RsiThresholdParams = z
  .strictObject({
    period: z.number().int().min(2).default(14),
    /** Buy when RSI falls below this. */
    lower: z.number().gt(0).lt(100).default(30),
    /** Sell when RSI rises above this. */
    upper: z.number().gt(0).lt(100).default(70),
    timeframe: TimeframeLabel.default('1m'),
    sizing: SizingParams,
    mode: PositionModeParam.default('long-only'),
  })
  .superRefine((p, ctx) => {
    if (p.lower >= p.upper) {
      ctx.addIssue({
        code: 'custom',
        path: ['lower'],
        message: `must be less than upper (${p.upper}), got ${p.lower}`,
      });
    }
  });
export type RsiThresholdParams = z.infer<typeof RsiThresholdParams>;

type Zone = 'low' | 'middle' | 'high';

interface RsiState {
  readonly rsi: Rsi;
  zone: Zone;
  previous: number | undefined;
}

/**
 * RSI (Wilder) on closed bars: long when it enters the zone below `lower`, short (flat in long-only
 * mode) when it enters the zone above `upper`. Signals fire on entering a zone, not on every bar spent
 * in it, so one excursion is one decision; the first RSI value counts as entering its zone.
 */
export const rsiThreshold = defineStrategy({
  name: 'rsi-threshold',
  version: '1.0.0',
  description: 'Long when RSI drops below the lower threshold; short or flat when it rises above the upper one.',
  params: RsiThresholdParams,
  timeframes: (p) => [p.timeframe],
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.period + 1 }],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(params) {
    const bySymbol = new Map<string, RsiState>();
    const stateOf = (symbol: string): RsiState => {
      let s = bySymbol.get(symbol);
      if (s === undefined) {
        s = { rsi: new Rsi(params.period), zone: 'middle', previous: undefined };
        bySymbol.set(symbol, s);
      }
      return s;
    };

    return {
      onBar(bar: Bar, ctx: StrategyContext): IntentDraft[] {
        const s = stateOf(bar.symbol);
        const rsi = s.rsi.update(bar.close);
        if (rsi === undefined) return [];
        const previous = s.previous;
        s.previous = rsi;
        const zone: Zone = rsi < params.lower ? 'low' : rsi > params.upper ? 'high' : 'middle';
        const entered = zone !== s.zone;
        s.zone = zone;
        if (!entered || zone === 'middle') return [];

        const signal = zone === 'low' ? 'rsi-below-lower' : 'rsi-above-upper';
        const position = ctx.position(bar.symbol);
        const sized = targetFor(zone === 'low' ? 'long' : 'short', params.sizing, ctx.equity);
        const legs = targetPositionOrders(dec(position.qty), sized.target, params.mode);
        return legsToDrafts(bar.symbol, legs, {
          signal,
          rsi: numberInput(rsi),
          ...(previous !== undefined ? { prevRsi: numberInput(previous) } : {}),
          lower: numberInput(params.lower),
          upper: numberInput(params.upper),
          ...barInputs(bar, params.timeframe),
          position: position.qty,
          ...sized.inputs,
        });
      },
    };
  },
});
