import type { FillEvent, OrderStatusUpdate, Quote, Trade } from '@bourse/contracts';
import type { Bar } from '../bars/bar.js';
import type { HandlerName, IntentDraft, StrategyContext, StrategyInstance } from '../types.js';
import type { InstrumentRef, StrategyConfig } from './types.js';

/** One handler call to make now; the core runs it and deals with what it returns or throws. */
export interface Evaluation {
  readonly trigger: HandlerName;
  readonly call: () => readonly IntentDraft[];
}

/**
 * One strategy on one instrument: its instance and the timing the strategy declared. Event mode calls
 * onQuote/onTrade at most once per `throttleMs` per instrument; what arrives inside the window is
 * coalesced to the latest quote and latest trade and evaluated when the window ends (trailing edge).
 * Poll mode calls onTimer every `intervalMs` and never onQuote/onTrade (the context still sees the
 * latest quote). Closed bars, order updates and fills are always delivered at once, in both modes:
 * dropping one would corrupt an indicator or the strategy's view of its orders.
 */
export class StrategyHost {
  private lastEvalAt = Number.NEGATIVE_INFINITY;
  private pendingQuote: Quote | undefined;
  private pendingTrade: Trade | undefined;
  private nextPollAt: number | undefined;
  readonly barTimeframes: readonly number[];
  /** Seq of the last state change made here (starts at the restored record's): the store's write order. */
  stateSeq: number;

  /**
   * The instruments whose market data this host's decisions wait on: its instrument, or every leg of a
   * unit (`instrument` is then the unit's first leg, under which its state is kept).
   */
  readonly legs: readonly InstrumentRef[];

  constructor(
    readonly strategy: StrategyConfig,
    readonly instrument: InstrumentRef,
    readonly instance: StrategyInstance,
    readonly ctx: StrategyContext,
    now: number,
    stateSeq = 0,
    legs?: readonly InstrumentRef[],
  ) {
    this.legs = legs ?? [instrument];
    this.stateSeq = stateSeq;
    this.barTimeframes = instance.timeframes.map((t) => t.ms);
    if (instance.evaluation.mode === 'poll') this.nextPollAt = now + instance.evaluation.intervalMs;
  }

  get strategyId(): string {
    return this.strategy.id;
  }

  onQuote(quote: Quote, now: number): Evaluation[] {
    if (this.instance.evaluation.mode === 'poll') return [];
    this.pendingQuote = quote;
    return this.due(now);
  }

  onTrade(trade: Trade, now: number): Evaluation[] {
    if (this.instance.evaluation.mode === 'poll') return [];
    this.pendingTrade = trade;
    return this.due(now);
  }

  onBar(bar: Bar): Evaluation[] {
    return [{ trigger: 'onBar', call: () => this.instance.onBar(bar, this.ctx) }];
  }

  onOrderUpdate(update: OrderStatusUpdate): Evaluation[] {
    return [{ trigger: 'onOrderUpdate', call: () => this.instance.onOrderUpdate(update, this.ctx) }];
  }

  onFill(fill: FillEvent): Evaluation[] {
    return [{ trigger: 'onFill', call: () => this.instance.onFill(fill, this.ctx) }];
  }

  /** Evaluations that fell due by `now`: a trailing throttled event or a poll tick. */
  onClock(now: number): Evaluation[] {
    const policy = this.instance.evaluation;
    if (policy.mode === 'poll') {
      if (this.nextPollAt === undefined || now < this.nextPollAt) return [];
      // Ticks missed while the process was busy are not made up: one evaluation sees the present.
      this.nextPollAt = Math.max(this.nextPollAt + policy.intervalMs, now + 1);
      return [{ trigger: 'onTimer', call: () => this.instance.onTimer(this.ctx) }];
    }
    return this.due(now);
  }

  nextWakeAt(): number | undefined {
    const policy = this.instance.evaluation;
    if (policy.mode === 'poll') return this.nextPollAt;
    if (this.pendingQuote === undefined && this.pendingTrade === undefined) return undefined;
    return this.lastEvalAt + policy.throttleMs;
  }

  private due(now: number): Evaluation[] {
    const policy = this.instance.evaluation;
    if (policy.mode !== 'event' || now < this.lastEvalAt + policy.throttleMs) return [];
    const out: Evaluation[] = [];
    const quote = this.pendingQuote;
    const trade = this.pendingTrade;
    this.pendingQuote = undefined;
    this.pendingTrade = undefined;
    if (trade !== undefined) out.push({ trigger: 'onTrade', call: () => this.instance.onTrade(trade, this.ctx) });
    if (quote !== undefined) out.push({ trigger: 'onQuote', call: () => this.instance.onQuote(quote, this.ctx) });
    if (out.length > 0) this.lastEvalAt = now;
    return out;
  }
}
