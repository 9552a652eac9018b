import { z } from 'zod';
import { ClientOrderId, DecimalString, EpochMs, InstrumentSymbol, IntentId, StrategyId } from './primitives.js';

/** One risk rule an intent broke, with the numbers that broke it (both as decimal strings). */
export const RiskRuleFailure = z.object({
  /** Stable rule name, e.g. `max-position`, `max-order-notional`, `trading-state`. */
  rule: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, { message: 'must be a kebab-case rule name' }),
  message: z.string().min(1),
  /** The configured limit; absent for rules without a number (e.g. trading state HALTED). */
  limit: DecimalString.optional(),
  /** The value the intent would have reached. */
  actual: DecimalString.optional(),
});
export type RiskRuleFailure = z.infer<typeof RiskRuleFailure>;

const decisionBase = {
  v: z.literal(1),
  intentId: IntentId,
  strategyId: StrategyId,
  instrument: InstrumentSymbol,
  decidedAt: EpochMs,
};

/** The risk gate's answer to one intent: accepted (with the order it became) or rejected (with every failed rule). */
export const RiskDecision = z.discriminatedUnion('outcome', [
  z.object({
    ...decisionBase,
    outcome: z.literal('accepted'),
    clientOrderId: ClientOrderId,
  }),
  z.object({
    ...decisionBase,
    outcome: z.literal('rejected'),
    failures: z.array(RiskRuleFailure).min(1, { message: 'a rejection lists at least one failed rule' }),
  }),
]);
export type RiskDecision = z.infer<typeof RiskDecision>;
