import type { RiskRuleFailure, Side } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { RiskState } from '../risk-state.js';
import type { ProposedOrder } from '../types.js';

/** A failure with its numbers as decimal strings. */
export function failure(
  rule: string,
  message: string,
  limit?: Decimal | number | string,
  actual?: Decimal | number | string,
): RiskRuleFailure {
  return {
    rule,
    message,
    ...(limit === undefined ? {} : { limit: limit.toString() }),
    ...(actual === undefined ? {} : { actual: actual.toString() }),
  };
}

export function signedQty(side: Side, qty: Decimal): Decimal {
  return side === 'BUY' ? qty : qty.neg();
}

export interface ExposureChange {
  readonly before: Decimal;
  /** The position if this order and every open order on its side filled: the worst case. */
  readonly after: Decimal;
}

/** The strategy's exposure before and after (worst case); undefined when the order's size is unknowable. */
export function strategyExposure(order: ProposedOrder, state: RiskState): ExposureChange | undefined {
  if (order.exposureQty === undefined) return undefined;
  const before = state.position(order.strategyId, order.instrument);
  const pending = state.pendingQty(order.instrument, order.side, order.strategyId);
  return { before, after: before.plus(signedQty(order.side, order.exposureQty.plus(pending))) };
}

/** Net exposure of every strategy in the instrument before and after (worst case). */
export function aggregateExposure(order: ProposedOrder, state: RiskState): ExposureChange | undefined {
  if (order.exposureQty === undefined) return undefined;
  const before = state.aggregatePosition(order.instrument);
  const pending = state.pendingQty(order.instrument, order.side);
  return { before, after: before.plus(signedQty(order.side, order.exposureQty.plus(pending))) };
}

/** True when the change brings the position closer to flat without crossing zero. */
export function reduces(change: ExposureChange | undefined): boolean {
  if (change === undefined || change.before.isZero()) return false;
  const crossed = !change.after.isZero() && change.after.sign() !== change.before.sign();
  return !crossed && change.after.abs().lt(change.before.abs());
}
