import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// After `afterRejections` rejections in a row, a strategy is refused for `cooldownMs` from the last
// of them. Rejections by the cooldown itself do not count, so the cooldown ends on time and the
// count starts again from zero; any acceptance ends the streak.

/** When the cooldown that applies at `now` ends, and the rejection count that started it; undefined when none applies. */
export function cooldownAt(
  streak: readonly number[],
  afterRejections: number,
  cooldownMs: number,
  now: number,
): { until: number; count: number } | undefined {
  let count = 0;
  let active: { until: number; count: number } | undefined;
  for (const at of streak) {
    count++;
    if (count >= afterRejections) {
      active = { until: at + cooldownMs, count };
      count = 0;
    }
  }
  return active !== undefined && now < active.until ? active : undefined;
}

export const rejectionCooldownRule: RiskRule = (_intent, order, state, limits, now) => {
  const cfg = limits.rejectionCooldown;
  if (cfg === undefined) return [];
  const active = cooldownAt(state.rejectionStreak(order.strategyId), cfg.afterRejections, cfg.cooldownMs, now);
  if (active === undefined) return [];
  return [
    failure(
      'rejection-cooldown',
      `${order.strategyId} is cooling down after ${active.count} rejections in a row, until ${new Date(active.until).toISOString()}`,
      cfg.afterRejections,
      active.count,
    ),
  ];
};
