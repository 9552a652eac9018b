import { z } from 'zod';
import type { OrderStyle } from '@bourse/contracts';

// A decision has a shelf life (DESIGN 13): how old it may be when its order would reach the venue.
// Each intent carries its end (`expiresAt` = decision time + bound); the risk gate and the order
// manager refuse it as expired after that, and nothing is sent. A market order is a bet on the price
// of the moment, so its bound is seconds; a resting order prices itself, so it may wait a little
// longer, but not for ever (a restarted service must not place yesterday's quote).

/** How old a decision may be when it reaches the venue, in ms, per order style. */
export type MaxDecisionAge = Readonly<Record<OrderStyle, number>>;

export const MIN_DECISION_AGE_MS = 100;
export const MAX_DECISION_AGE_MS = 3_600_000;

/** The defaults by order style; a strategy declares its own (StrategySpec.maxDecisionAgeMs), a user overrides per entry. */
export const DEFAULT_MAX_DECISION_AGE_MS: MaxDecisionAge = Object.freeze({
  market: 5_000,
  // A stop becomes a market (or marketable limit) order at its trigger: as stale as a market order.
  stop: 5_000,
  'stop-limit': 5_000,
  limit: 30_000,
  'limit-maker': 30_000,
});

const AgeMs = z.number().int().min(MIN_DECISION_AGE_MS).max(MAX_DECISION_AGE_MS);

/** Bounds for some styles (the rest keep theirs), as a strategy or a strategies file gives them. */
export const MaxDecisionAgeOverrides = z.strictObject({
  market: AgeMs.optional(),
  limit: AgeMs.optional(),
  'limit-maker': AgeMs.optional(),
  stop: AgeMs.optional(),
  'stop-limit': AgeMs.optional(),
});
export type MaxDecisionAgeOverrides = z.infer<typeof MaxDecisionAgeOverrides>;

/** The bounds with `overrides` laid over `base` (the defaults unless given). */
export function resolveMaxDecisionAge(
  overrides: MaxDecisionAgeOverrides | undefined,
  base: MaxDecisionAge = DEFAULT_MAX_DECISION_AGE_MS,
): MaxDecisionAge {
  if (overrides === undefined) return base;
  const out: Record<OrderStyle, number> = { ...base };
  for (const [style, ms] of Object.entries(overrides) as [OrderStyle, number | undefined][]) {
    if (ms !== undefined) out[style] = ms;
  }
  return Object.freeze(out);
}

/**
 * The end of a decision's shelf life: its time plus the bound, or the strategy's own earlier
 * `expiresAt` when it gave one (a quote meant to live 2 s keeps its 2 s).
 */
export function decisionExpiry(decidedAt: number, maxAgeMs: number, ownExpiresAt?: number): number {
  const bound = decidedAt + maxAgeMs;
  return ownExpiresAt === undefined ? bound : Math.min(bound, ownExpiresAt);
}
