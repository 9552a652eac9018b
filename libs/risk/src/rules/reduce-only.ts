import type { RiskRule } from '../types.js';
import { failure, reduces, strategyExposure } from './support.js';

// A reduce-only intent may only bring the strategy's own position toward flat, never open or flip it.

export const reduceOnlyRule: RiskRule = (intent, order, state) => {
  if (!intent.reduceOnly) return [];
  const change = strategyExposure(order, state);
  if (reduces(change)) return [];
  const detail = change
    ? `position ${change.before.toString()} would become ${change.after.toString()}`
    : 'the order size cannot be known without a mid price';
  return [
    failure(
      'reduce-only',
      `reduce-only intent would not reduce the position: ${detail}`,
      change?.before.abs(),
      change?.after.abs(),
    ),
  ];
};
