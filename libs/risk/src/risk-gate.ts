import {
  OrderRequest,
  type Intent,
  type RiskDecision,
  type RiskRuleFailure,
  type TradingStateScope,
} from '@bourse/contracts';
import type { ClientOrderIdGenerator, InstrumentRegistry } from '@bourse/domain';
import type { LimitsConfig } from './limits/limits.js';
import { resolveLimits } from './limits/resolve.js';
import { proposeOrder } from './proposed-order.js';
import type { RiskState } from './risk-state.js';
import {
  DAILY_LOSS_GLOBAL_RULE,
  DAILY_LOSS_RULE,
  globalLossBreaches,
  strategyLossBreaches,
} from './rules/daily-loss.js';
import { RULES } from './rules/index.js';
import { failure } from './rules/support.js';
import type { Clock } from './types.js';

// The gate's one decision: an intent in, an accepted OrderRequest or a rejection listing every
// failed rule out, plus what the shell must do besides publishing (trip the kill switch). Pure
// apart from the id generator's counter: the state is read, never changed; the shell records the
// decision with RiskState.recordDecision (RiskGateCore does both).

const TIMED = new Set(['limit', 'stop-limit']);

/** What asked for the kill switch (the operator and reconciliation drift trip it elsewhere). */
export type KillSwitchTrigger = 'daily-loss' | 'rejection-burst' | 'stale-feed';

/** Something the shell must do beyond publishing the decision. */
export type RiskEffect =
  | {
      readonly kind: 'trip-kill-switch';
      readonly scope: TradingStateScope;
      readonly reason: string;
      readonly trigger: KillSwitchTrigger;
      /** Asked for again because the first HALTED write failed (the trigger was logged and counted then). */
      readonly retry?: boolean;
    }
  | { readonly kind: 'limit-changed'; readonly path: string; readonly before?: string; readonly after?: string };

export interface RiskEvaluation {
  readonly decision: RiskDecision;
  /** Present exactly when the decision is `accepted`. */
  readonly orderRequest?: OrderRequest;
  readonly effects: readonly RiskEffect[];
  /** True when the intent was decided before (a redelivery): the same decision is returned, nothing new is sent. */
  readonly redelivered: boolean;
}

/** Judges one contract-valid intent against every rule; never throws (a rule that throws fails closed, as `rule-error`). */
export function evaluateIntent(
  intent: Intent,
  state: RiskState,
  limits: LimitsConfig,
  registry: InstrumentRegistry,
  clock: Clock,
  ids: ClientOrderIdGenerator,
): RiskEvaluation {
  const previous = state.decisionFor(intent.id);
  if (previous) return { ...previous, effects: [], redelivered: true };

  const now = clock.now();
  const reject = (failures: RiskRuleFailure[], effects: RiskEffect[] = []): RiskEvaluation => ({
    decision: {
      v: 1,
      intentId: intent.id,
      strategyId: intent.strategyId,
      instrument: intent.instrument,
      decidedAt: now,
      outcome: 'rejected',
      failures,
    },
    effects,
    redelivered: false,
  });

  const upfront: RiskRuleFailure[] = [];
  if (intent.expiresAt !== undefined && now >= intent.expiresAt) {
    // A decision has a shelf life (DESIGN 13): limit = the shelf life, actual = the decision's age, both in ms.
    const age = now - intent.createdAt;
    const shelfLife = intent.expiresAt - intent.createdAt;
    upfront.push(failure('expired', `expired: decision ${age} ms old, shelf life ${shelfLife} ms`, shelfLife, age));
  }
  const spec = intent.venue === registry.venue ? registry.get(intent.instrument) : undefined;
  if (spec === undefined) {
    upfront.push(
      failure(
        'unknown-instrument',
        `${intent.instrument} is not an instrument of venue ${registry.venue} (intent names ${intent.venue})`,
      ),
    );
    return reject(upfront);
  }

  const resolved = resolveLimits(limits, intent.strategyId, intent.instrument);
  let order;
  try {
    order = proposeOrder(intent, spec, state.quote(intent.instrument)?.mid);
  } catch (error) {
    return reject([...upfront, failure('rule-error', `the order could not be formed: ${describeError(error)}`)]);
  }
  const failures = [...upfront];
  for (const rule of RULES) {
    try {
      failures.push(...rule.check(intent, order, state, resolved, now));
    } catch (error) {
      // Fail closed: a rule that cannot judge the intent rejects it, with the reason on the record.
      failures.push(failure('rule-error', `${rule.name} could not be checked: ${describeError(error)}`));
    }
  }
  if (failures.length > 0) return reject(failures, killSwitchEffects(failures, intent.strategyId, state));

  let clientOrderId;
  try {
    clientOrderId = ids.next(intent.strategyId, intent.strategyVersion);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return reject([failure('client-order-id', `no client order id can be made: ${message}`)]);
  }
  const candidate = {
    v: 1,
    clientOrderId,
    intentId: intent.id,
    strategyId: intent.strategyId,
    strategyVersion: intent.strategyVersion,
    codeHash: intent.codeHash,
    venue: intent.venue,
    instrument: intent.instrument,
    venueSymbol: spec.venueSymbol,
    side: intent.side,
    qty: order.qty?.toString(),
    quoteQty: order.quoteQty?.toString(),
    style: intent.style,
    price: order.price?.toString(),
    stopPrice: order.stopPrice?.toString(),
    timeInForce: TIMED.has(intent.style) ? (intent.timeInForce ?? resolved.defaultTimeInForce) : undefined,
    constraints: intent.constraints,
    reduceOnly: intent.reduceOnly,
    expiresAt: intent.expiresAt,
    decidedAt: intent.createdAt,
    marketDataAt: intent.marketDataAt,
    createdAt: now,
  };
  const parsed = OrderRequest.safeParse(stripUndefined(candidate));
  if (!parsed.success) {
    return reject(
      parsed.error.issues.map((i) =>
        failure(
          'order-contract',
          `the order would break its contract at ${i.path.join('.') || '(root)'}: ${i.message}`,
        ),
      ),
    );
  }
  return {
    decision: {
      v: 1,
      intentId: intent.id,
      strategyId: intent.strategyId,
      instrument: intent.instrument,
      decidedAt: now,
      outcome: 'accepted',
      clientOrderId: parsed.data.clientOrderId,
    },
    orderRequest: parsed.data,
    effects: [],
    redelivered: false,
  };
}

/** Kill-switch effects for daily-loss failures, skipping a scope that is already HALTED. */
function killSwitchEffects(failures: readonly RiskRuleFailure[], strategyId: string, state: RiskState): RiskEffect[] {
  const effects: RiskEffect[] = [];
  const strategyLoss = failures.filter((f) => f.rule === DAILY_LOSS_RULE);
  const globalLoss = failures.filter((f) => f.rule === DAILY_LOSS_GLOBAL_RULE);
  const halted = (scope: TradingStateScope) => isHalted(state, scope);
  if (globalLoss.length > 0 && !halted({ kind: 'global' })) {
    effects.push({
      kind: 'trip-kill-switch',
      scope: { kind: 'global' },
      reason: globalLoss.map((f) => f.message).join('; '),
      trigger: 'daily-loss',
    });
  }
  if (strategyLoss.length > 0 && !halted({ kind: 'strategy', strategyId })) {
    effects.push({
      kind: 'trip-kill-switch',
      scope: { kind: 'strategy', strategyId },
      reason: strategyLoss.map((f) => f.message).join('; '),
      trigger: 'daily-loss',
    });
  }
  return effects;
}

function isHalted(state: RiskState, scope: TradingStateScope): boolean {
  return state.tradingState(scope)?.mode === 'HALTED';
}

/**
 * Daily-loss breaches of every strategy in `strategyIds` and globally, as kill-switch effects, for
 * the shell to run after fills and quotes (a loss can grow without any new intent).
 */
export function assessKillSwitch(
  state: RiskState,
  limits: LimitsConfig,
  strategyIds: Iterable<string>,
  now: number,
): RiskEffect[] {
  const effects: RiskEffect[] = [];
  const global = globalLossBreaches(state, resolveLimits(limits, '', '').global.maxDailyLoss, now);
  if (global.length > 0 && !isHalted(state, { kind: 'global' })) {
    effects.push({
      kind: 'trip-kill-switch',
      scope: { kind: 'global' },
      reason: global.map((f) => f.message).join('; '),
      trigger: 'daily-loss',
    });
  }
  for (const strategyId of new Set(strategyIds)) {
    const breaches = strategyLossBreaches(state, strategyId, resolveLimits(limits, strategyId, '').maxDailyLoss, now);
    if (breaches.length > 0 && !isHalted(state, { kind: 'strategy', strategyId })) {
      effects.push({
        kind: 'trip-kill-switch',
        scope: { kind: 'strategy', strategyId },
        reason: breaches.map((f) => f.message).join('; '),
        trigger: 'daily-loss',
      });
    }
  }
  return effects;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
