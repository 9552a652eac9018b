import { OrderStyle, tradingStateKey, type TradingState } from '@bourse/contracts';
import {
  ClientOrderIdGenerator,
  InstrumentRegistry,
  spotInstrument,
  type Decimal,
  type InstrumentSpec,
} from '@bourse/domain';
import { OrderTracker, type SubmissionDeps } from '@bourse/execution';
import { RiskGateCore, RiskState, parseLimits } from '@bourse/risk';
import type { BarPrice, StrategyDefinition } from '@bourse/strategy';
import { RunnerCore, type InstrumentRef, type StrategyConfig } from '@bourse/strategy';
import type { ExecutionModel } from '../engine/execution.js';
import type { SimVenue } from '../engine/sim-venue.js';
import type { VirtualClock } from '../engine/virtual-clock.js';
import { MemoryJournal } from './memory-journal.js';
import { BACKTEST_STRATEGY_ID, BACKTEST_VENUE, type BacktestSpec } from './spec.js';

// The strategy-runner, risk-gate and OMS cores, unchanged, set up for one backtest: trading ACTIVE,
// limits that stop only a real inconsistency, no reconciler, no shelf life, the OMS outbox in memory,
// all on the run's virtual clock and against the simulated venue.

/** Longer than any history a backtest replays (100 years): the shelf life of every order style. */
export const BACKTEST_DECISION_AGE_MS = Object.fromEntries(
  OrderStyle.options.map((style) => [style, 100 * 365 * 86_400_000]),
) as Record<OrderStyle, number>;

export interface Cores {
  readonly runner: RunnerCore;
  readonly risk: RiskGateCore;
  readonly tracker: OrderTracker;
  /** What the OMS core's submitOrder needs: the journal, the venue, the tracker, the clock, the gate. */
  readonly oms: SubmissionDeps;
  readonly ref: InstrumentRef;
}

export interface CoreWiring {
  readonly spec: BacktestSpec;
  /** The strategy as the runner should drive it (the run wraps it to count the events it receives). */
  readonly definition: StrategyDefinition;
  readonly barPrice: BarPrice;
  readonly clock: VirtualClock;
  readonly venue: SimVenue;
  readonly ref: InstrumentRef;
  readonly instrument: InstrumentSpec;
  /** The latest mark, for the equity the strategy sizes with. */
  readonly markOf: () => Decimal;
}

/** The backtest's one instrument, with the execution model's tick and lot. */
export function backtestInstrument(
  symbol: string,
  model: ExecutionModel,
): { ref: InstrumentRef; instrument: InstrumentSpec } {
  const venueSymbol = symbol.replace('/', '');
  return {
    ref: { venue: BACKTEST_VENUE, symbol, venueSymbol },
    instrument: spotInstrument(symbol, BACKTEST_VENUE, venueSymbol, {
      tickSize: model.tick,
      stepSize: model.lot,
      minQty: model.lot,
      marketStepSize: model.lot,
    }),
  };
}

export const ACTIVE = (scope: TradingState['scope'], at: number): TradingState => ({
  v: 1,
  scope,
  mode: 'ACTIVE',
  reason: 'backtest',
  setBy: 'backtest',
  updatedAt: at,
});

/** Limits wide enough that only a real inconsistency (no quote, no cash) stops an order. */
export function backtestLimits() {
  return parseLimits({
    v: 1,
    whenGlobalStateMissing: 'ACTIVE',
    defaults: {
      maxOrderNotional: '1000000000000000',
      priceBandBps: '100000',
      maxQuoteAgeMs: 10 * 366 * 86_400_000,
      maxOpenOrders: 100_000,
      orderRate: { maxOrders: 1_000_000_000, windowMs: 1 },
      rejectionCooldown: { afterRejections: 1_000_000_000, cooldownMs: 1 },
    },
  });
}

export function wireCores(wiring: CoreWiring): Cores {
  const { spec, clock, venue, ref, instrument, markOf } = wiring;
  let intentSeq = 0;
  // Equity is read when the strategy sizes an order: cash plus the position at the latest close.
  const strategy: StrategyConfig = {
    id: BACKTEST_STRATEGY_ID,
    definition: wiring.definition,
    version: spec.strategy.version,
    ...(spec.codeHash !== undefined ? { codeHash: spec.codeHash } : {}),
    params: spec.params,
    instruments: [ref],
    // The delays a backtest models (latency, a fill at the next open) are the simulated venue's, as
    // asked for, not a decision gone stale in a crash: no shelf life cuts them short (DESIGN 13).
    maxDecisionAgeMs: BACKTEST_DECISION_AGE_MS,
    get equity() {
      return venue.equity(markOf()).toString();
    },
  };
  const runner = new RunnerCore({
    strategies: [strategy],
    clock,
    ids: { next: () => `bt-${++intentSeq}` },
    // Bars may be days apart (weekends): data is never stale in a backtest, it is all there is.
    staleAfterMs: Number.MAX_SAFE_INTEGER,
    // No reconciler runs against a simulated history: the venue is this process.
    requireReconciliation: false,
    instrumentSpec: () => instrument,
    barPrice: wiring.barPrice,
  });
  runner.onTradingState(tradingStateKey({ kind: 'global' }), ACTIVE({ kind: 'global' }, 0));
  runner.addInstrument(ref);
  const state = new RiskState({ venue: BACKTEST_VENUE });
  const risk = new RiskGateCore({
    state,
    limits: backtestLimits(),
    registry: new InstrumentRegistry(BACKTEST_VENUE, [instrument]),
    clock,
    ids: new ClientOrderIdGenerator({ instanceTag: 'bt00', clock: () => clock.now() }),
  });
  risk.onTradingState(ACTIVE({ kind: 'global' }, 0));
  const tracker = new OrderTracker();
  const oms: SubmissionDeps = {
    journal: new MemoryJournal(),
    venue,
    tracker,
    clock,
    tradingState: { modesFor: () => ({ global: 'ACTIVE', instrument: undefined, strategy: undefined }) },
  };
  return { runner, risk, tracker, oms, ref };
}
