import type { Bar } from '../bars/bar.js';
import type { OrderLeg } from '../sizing/target-position.js';
import { numberInput } from '../sdk/numbers.js';
import type { IntentDraft } from '../types.js';

/** Market-order drafts for a close-then-open sequence; every draft carries the decision's inputs and its leg. */
export function legsToDrafts(
  instrument: string,
  legs: readonly OrderLeg[],
  inputs: Record<string, string>,
): IntentDraft[] {
  return legs.map((leg) => ({
    instrument,
    side: leg.side,
    ...(leg.qty !== undefined ? { qty: leg.qty } : {}),
    ...(leg.quoteQty !== undefined ? { quoteQty: leg.quoteQty } : {}),
    style: 'market' as const,
    reduceOnly: leg.reduceOnly,
    inputs: { ...inputs, leg: leg.purpose },
  }));
}

/** The bar facts every bar strategy records: its close and its open time (`barTime`, as a kline's). */
export function barInputs(bar: Bar, timeframe: string): Record<string, string> {
  return {
    close: numberInput(bar.close),
    barTime: String(bar.openTime),
    barCloseTime: String(bar.closeTime),
    timeframe,
  };
}
