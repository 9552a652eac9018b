import { z } from 'zod';
import { dec } from '@bourse/domain';
import type { Bar } from '../bars/bar.js';
import { BollingerBands } from '../indicators/bollinger.js';
import { TimeframeLabel, defineStrategy } from '../sdk/define-strategy.js';
import { numberInput } from '../sdk/numbers.js';
import { PositionModeParam, SizingParams, targetFor } from '../sizing/sizing-params.js';
import { targetPositionOrders } from '../sizing/target-position.js';
import type { IntentDraft, StrategyContext } from '../types.js';
import { barInputs, legsToDrafts } from './common.js';

export const BollingerMeanReversionParams = z.strictObject({
  period: z.number().int().min(2).default(20),
  /** Band width in population standard deviations. */
  k: z.number().gt(0).max(10).default(2),
  timeframe: TimeframeLabel.default('1m'),
  sizing: SizingParams,
  /** long-short also sells closes above the upper band and covers at the middle. */
  mode: PositionModeParam.default('long-only'),
});
export type BollingerMeanReversionParams = z.infer<typeof BollingerMeanReversionParams>;

interface BandState {
  readonly bands: BollingerBands;
  below: boolean;
  above: boolean;
}

/**
 * Mean reversion on closed bars: enter long when the close moves below the lower band (short above the
 * upper band in long-short mode) and exit when the close gets back to the middle band. Entries fire when
 * the close crosses outside the band, not on every bar spent outside it; exits fire on any bar that
 * reaches the middle while a position is held. While an order of the strategy is still open on the
 * instrument it waits, so an exit is never sent twice.
 */
export const bollingerMeanReversion = defineStrategy({
  name: 'bollinger-mean-reversion',
  version: '1.0.0',
  description: 'Buys closes below the lower Bollinger band and exits at the middle band (long-short: mirrored above).',
  params: BollingerMeanReversionParams,
  timeframes: (p) => [p.timeframe],
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.period }],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(params) {
    const bySymbol = new Map<string, BandState>();
    const stateOf = (symbol: string): BandState => {
      let s = bySymbol.get(symbol);
      if (s === undefined) {
        s = { bands: new BollingerBands(params.period, params.k), below: false, above: false };
        bySymbol.set(symbol, s);
      }
      return s;
    };

    return {
      onBar(bar: Bar, ctx: StrategyContext): IntentDraft[] {
        const s = stateOf(bar.symbol);
        const band = s.bands.update(bar.close);
        if (band === undefined) return [];
        const below = bar.close < band.lower;
        const above = bar.close > band.upper;
        const crossedBelow = below && !s.below;
        const crossedAbove = above && !s.above;
        s.below = below;
        s.above = above;
        if (ctx.openOrders(bar.symbol).length > 0) return [];

        const position = ctx.position(bar.symbol);
        const held = dec(position.qty).sign();
        let signal: string | undefined;
        let direction: 'long' | 'short' | 'flat' = 'flat';
        if (held > 0 && bar.close >= band.middle) signal = 'exit-long-at-middle';
        else if (held < 0 && bar.close <= band.middle) signal = 'exit-short-at-middle';
        else if (crossedBelow) [signal, direction] = ['below-lower-band', 'long'];
        else if (crossedAbove && params.mode === 'long-short') [signal, direction] = ['above-upper-band', 'short'];
        if (signal === undefined) return [];

        const sized = targetFor(direction, params.sizing, ctx.equity);
        const legs = targetPositionOrders(dec(position.qty), sized.target, params.mode);
        return legsToDrafts(bar.symbol, legs, {
          signal,
          middle: numberInput(band.middle),
          upper: numberInput(band.upper),
          lower: numberInput(band.lower),
          ...barInputs(bar, params.timeframe),
          position: position.qty,
          ...sized.inputs,
        });
      },
    };
  },
});
