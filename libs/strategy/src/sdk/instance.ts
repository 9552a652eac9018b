import type { FillEvent, OrderStatusUpdate, Quote, Trade } from '@bourse/contracts';
import type { Bar } from '../bars/bar.js';
import type {
  EvaluationPolicy,
  HandlerName,
  HandlerResult,
  IntentDraft,
  StrategyContext,
  StrategyHandlers,
  StrategyInstance,
  StrategyState,
  WarmupNeed,
} from '../types.js';
import { withState } from './context.js';
import { InvalidIntentError, InvalidStrategyStateError, StrategyHandlerError, issuesOf } from './errors.js';
import { completeIntent } from './intent.js';
import type { MaxDecisionAge } from './shelf-life.js';
import { BarAligner } from './bar-aligner.js';
import type { UnitSpec } from './unit.js';
import { StrategyStateSchema, freezeState } from './state.js';

const NO_INTENTS: readonly IntentDraft[] = Object.freeze([]);

interface InstanceParts<P> {
  name: string;
  version: string;
  params: Readonly<P>;
  instruments: readonly string[];
  unit: UnitSpec | undefined;
  timeframes: readonly { readonly label: string; readonly ms: number }[];
  wantsFormingBars: boolean;
  evaluation: EvaluationPolicy;
  warmup: readonly WarmupNeed[];
  maxDecisionAgeMs: MaxDecisionAge;
  state: StrategyState;
  handlers: StrategyHandlers;
}

/**
 * Drives a strategy's handlers for the runner. It filters what the strategy did not ask for (other
 * instruments, other timeframes, forming bars unless wanted), hands the handler a context carrying the
 * instance's state, and checks what comes back: every draft must make a valid Intent for one of the
 * instance's instruments, and a new state must be small. A failed call changes nothing.
 */
export class StrategyInstanceImpl<P> implements StrategyInstance<P> {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<P>;
  readonly instruments: readonly string[];
  readonly unit: UnitSpec | undefined;
  readonly timeframes: readonly { readonly label: string; readonly ms: number }[];
  readonly wantsFormingBars: boolean;
  readonly evaluation: EvaluationPolicy;
  readonly warmup: readonly WarmupNeed[];
  readonly maxDecisionAgeMs: MaxDecisionAge;
  private readonly aligner: BarAligner;
  private currentState: StrategyState;
  private readonly handlers: StrategyHandlers;
  private readonly instrumentSet: ReadonlySet<string>;
  private readonly timeframeSet: ReadonlySet<number>;

  constructor(parts: InstanceParts<P>) {
    this.name = parts.name;
    this.version = parts.version;
    this.params = parts.params;
    this.instruments = parts.instruments;
    this.unit = parts.unit;
    this.aligner = new BarAligner(parts.instruments);
    this.timeframes = parts.timeframes;
    this.wantsFormingBars = parts.wantsFormingBars;
    this.evaluation = parts.evaluation;
    this.warmup = parts.warmup;
    this.maxDecisionAgeMs = parts.maxDecisionAgeMs;
    this.currentState = parts.state;
    this.handlers = parts.handlers;
    this.instrumentSet = new Set(parts.instruments);
    this.timeframeSet = new Set(parts.timeframes.map((t) => t.ms));
  }

  get state(): StrategyState {
    return this.currentState;
  }

  restoreState(state: StrategyState): void {
    this.currentState = this.checkState(state);
  }

  handles(handler: HandlerName): boolean {
    return this.handlers[handler] !== undefined;
  }

  onQuote(quote: Quote, ctx: StrategyContext): readonly IntentDraft[] {
    const handler = this.handlers.onQuote;
    if (!handler || !this.instrumentSet.has(quote.instrument)) return NO_INTENTS;
    const frozen = Object.freeze({ ...quote });
    return this.call('onQuote', ctx, (view) => handler(frozen, view));
  }

  onTrade(trade: Trade, ctx: StrategyContext): readonly IntentDraft[] {
    const handler = this.handlers.onTrade;
    if (!handler || !this.instrumentSet.has(trade.instrument)) return NO_INTENTS;
    const frozen = Object.freeze({ ...trade });
    return this.call('onTrade', ctx, (view) => handler(frozen, view));
  }

  onBar(bar: Bar, ctx: StrategyContext): readonly IntentDraft[] {
    const { onBar, onBars } = this.handlers;
    if ((!onBar && !onBars) || !this.instrumentSet.has(bar.symbol) || !this.timeframeSet.has(bar.timeframeMs)) {
      return NO_INTENTS;
    }
    if (bar.state !== 'closed' && !this.wantsFormingBars) return NO_INTENTS;
    // A forming bar keeps changing in the bar builder; the strategy gets a snapshot.
    const frozen = Object.freeze({ ...bar });
    const single = onBar ? this.call('onBar', ctx, (view) => onBar(frozen, view)) : NO_INTENTS;
    if (!onBars || frozen.state !== 'closed') return single;
    // Aligned only after onBar succeeded: a failed call changes nothing, the aligner included.
    const windows = this.aligner.add(frozen);
    if (windows.length === 0) return single;
    const drafts = [...single];
    for (const window of windows) drafts.push(...this.call('onBars', ctx, (view) => onBars(window, view)));
    return drafts.length === 0 ? NO_INTENTS : Object.freeze(drafts);
  }

  onTimer(ctx: StrategyContext): readonly IntentDraft[] {
    const handler = this.handlers.onTimer;
    if (!handler) return NO_INTENTS;
    return this.call('onTimer', ctx, (view) => handler(view));
  }

  onOrderUpdate(update: OrderStatusUpdate, ctx: StrategyContext): readonly IntentDraft[] {
    const handler = this.handlers.onOrderUpdate;
    if (!handler || !this.instrumentSet.has(update.instrument)) return NO_INTENTS;
    const frozen = Object.freeze({ ...update });
    return this.call('onOrderUpdate', ctx, (view) => handler(frozen, view));
  }

  onFill(fill: FillEvent, ctx: StrategyContext): readonly IntentDraft[] {
    const handler = this.handlers.onFill;
    if (!handler || !this.instrumentSet.has(fill.instrument)) return NO_INTENTS;
    const frozen = Object.freeze({ ...fill });
    return this.call('onFill', ctx, (view) => handler(frozen, view));
  }

  private call(
    handler: HandlerName,
    ctx: StrategyContext,
    run: (view: StrategyContext) => HandlerResult,
  ): readonly IntentDraft[] {
    const view = withState(ctx, this.currentState);
    let result: HandlerResult;
    try {
      result = run(view);
    } catch (err) {
      throw new StrategyHandlerError(this.name, handler, err);
    }
    const { intents, state } = this.normalize(handler, result);
    const now = view.now;
    const drafts = intents.map((draft) => this.checkDraft(draft, now));
    if (state !== undefined) this.currentState = this.checkState(state);
    return drafts.length === 0 ? NO_INTENTS : Object.freeze(drafts);
  }

  private normalize(
    handler: HandlerName,
    result: HandlerResult,
  ): { intents: readonly IntentDraft[]; state?: StrategyState | undefined } {
    if (Array.isArray(result)) return { intents: result };
    if (result !== null && typeof result === 'object' && Array.isArray((result as { intents?: unknown }).intents)) {
      const r = result as { intents: readonly IntentDraft[]; state?: StrategyState };
      return { intents: r.intents, state: r.state };
    }
    throw new StrategyHandlerError(
      this.name,
      handler,
      new TypeError('a handler must return an array of intent drafts or { intents, state }'),
    );
  }

  private checkDraft(draft: IntentDraft, now: number): IntentDraft {
    if (draft === null || typeof draft !== 'object') {
      throw new InvalidIntentError(this.name, [{ path: '(root)', message: 'must be an intent draft object' }], draft);
    }
    if (!this.instrumentSet.has(draft.instrument)) {
      throw new InvalidIntentError(
        this.name,
        [
          {
            path: 'instrument',
            message: `${String(draft.instrument)} is not traded by this instance (${this.unit !== undefined ? 'its unit: ' : ''}${this.instruments.join(', ')})`,
          },
        ],
        draft,
      );
    }
    // The full contract check, with placeholders for the fields the runner fills in later.
    completeIntent(draft, {
      id: 'draft',
      strategyId: this.name,
      strategyVersion: this.version,
      venue: 'draft',
      createdAt: now,
    });
    const copy: { -readonly [K in keyof IntentDraft]: IntentDraft[K] } = { ...draft };
    if (draft.inputs !== undefined) copy.inputs = Object.freeze({ ...draft.inputs });
    if (draft.constraints !== undefined) copy.constraints = Object.freeze({ ...draft.constraints });
    return Object.freeze(copy);
  }

  private checkState(state: StrategyState): StrategyState {
    const parsed = StrategyStateSchema.safeParse(state);
    if (!parsed.success) throw new InvalidStrategyStateError(this.name, issuesOf(parsed.error.issues), state);
    return freezeState(parsed.data);
  }
}
