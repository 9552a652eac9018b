import { z } from 'zod';
import { PositiveDecimalString } from '@bourse/contracts';
import { ONE, ZERO, tryDec } from '@bourse/domain';
import { fractionOfEquity } from './order-size.js';
import type { TargetPosition } from './target-position.js';

/** Sizing as a strategy's params give it: a fixed base qty, or a fraction of equity in (0, 1]. */
export const SizingParams = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('qty'), qty: PositiveDecimalString }),
  z.strictObject({
    kind: z.literal('fraction'),
    fraction: PositiveDecimalString.refine((s) => tryDec(s)?.lte(ONE) === true, {
      message: 'must be at most 1 (all of the equity)',
    }),
  }),
]);
export type SizingParams = z.infer<typeof SizingParams>;

export const PositionModeParam = z.enum(['long-only', 'long-short']);

/**
 * The position a directional signal asks for under a sizing rule: ±qty, or a side with fraction ×
 * equity as a quote notional. With fraction sizing and no known equity the entry cannot be sized, so
 * the target is flat (an opposite position is still closed). `inputs` record how the size was found.
 */
export function targetFor(
  direction: 'long' | 'short' | 'flat',
  sizing: SizingParams,
  equity: string | undefined,
): { target: TargetPosition; inputs: Record<string, string> } {
  if (direction === 'flat') return { target: ZERO, inputs: {} };
  if (sizing.kind === 'qty') {
    return { target: direction === 'long' ? sizing.qty : `-${sizing.qty}`, inputs: { sizeQty: sizing.qty } };
  }
  const inputs: Record<string, string> = { sizeFraction: sizing.fraction, equity: equity ?? 'unknown' };
  const size = fractionOfEquity({ equity, fraction: sizing.fraction });
  if (size === undefined || !('quoteQty' in size)) return { target: ZERO, inputs };
  return { target: { direction, quoteQty: size.quoteQty }, inputs };
}
