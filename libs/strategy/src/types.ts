import type {
  ExecutionConstraints,
  FillEvent,
  OrderStatus,
  OrderStatusUpdate,
  OrderStyle,
  Quote,
  Side,
  TimeInForce,
  Trade,
} from '@bourse/contracts';
import type { Clock, InstrumentSpec } from '@bourse/domain';
import type { Bar } from './bars/bar.js';
import type { MaxDecisionAge } from './sdk/shelf-life.js';
import type { UnitSpec } from './sdk/unit.js';

// The SDK's vocabulary: what a strategy sees (StrategyContext), what it returns (IntentDraft), and the
// surface the strategy runner and the backtester drive (StrategyDefinition → StrategyInstance).

/** The one time source, declared in @bourse/domain. */
export type { Clock };

/**
 * What a strategy decides: the intent without the fields the runner owns (id, strategy id and version,
 * venue, createdAt). Quantities and prices are decimal strings; give `qty` (base) or `quoteQty` (quote
 * notional, turned into a qty at the venue against the then available cash), never both.
 */
export interface IntentDraft {
  readonly instrument: string;
  readonly side: Side;
  readonly qty?: string;
  readonly quoteQty?: string;
  readonly style: OrderStyle;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly timeInForce?: TimeInForce;
  readonly constraints?: ExecutionConstraints;
  /** Defaults to false. */
  readonly reduceOnly?: boolean;
  readonly expiresAt?: number;
  /** The decision's inputs (indicator values, the close used, the bar time), all strings. */
  readonly inputs?: Readonly<Record<string, string>>;
}

/** The strategy's own small key/value state (at most MAX_STATE_KEYS short strings), kept by its instance. */
export type StrategyState = Readonly<Record<string, string>>;

/** A handler's answer: intents, optionally with a replacement for the strategy's state. */
export type HandlerResult =
  readonly IntentDraft[] | { readonly intents: readonly IntentDraft[]; readonly state?: StrategyState };

/** A position as the strategy sees it: `qty` signed (negative = short), both decimal strings. */
export interface PositionView {
  readonly instrument: string;
  readonly qty: string;
  /** Average entry price; absent when flat or unknown. */
  readonly avgPrice?: string;
}

/** One of the strategy's own orders that is not yet terminal, including ones not yet acknowledged. */
export interface OpenOrderView {
  readonly clientOrderId: string;
  readonly instrument: string;
  readonly side: Side;
  readonly style: OrderStyle;
  readonly qty: string;
  readonly filledQty: string;
  readonly price?: string;
  readonly status: OrderStatus;
  readonly intentId?: string;
}

/**
 * The read-only view a handler gets. Every value it returns is frozen; there is no method that sends,
 * publishes or stores anything: a strategy acts only by returning intents.
 */
export interface StrategyContext {
  /** Current time in ms from the injected clock. */
  readonly now: number;
  /** Latest top of book, or undefined when none has arrived. */
  quote(symbol: string): Readonly<Quote> | undefined;
  /** The strategy's own position; qty "0" when it holds none. */
  position(symbol: string): PositionView;
  /** The strategy's orders that are not terminal, for one instrument or all. */
  openOrders(symbol?: string): readonly OpenOrderView[];
  /** Account equity in the quote asset (cash plus marked positions), when known. */
  readonly equity: string | undefined;
  /** Free cash in the quote asset, when known. */
  readonly cash: string | undefined;
  readonly state: StrategyState;
  /** Tick, lot and limits for rounding (pass to roundPrice / roundQty from @bourse/domain). */
  instrument(symbol: string): InstrumentSpec | undefined;
}

/**
 * What the runner (or backtester) supplies to build a StrategyContext with createStrategyContext.
 * It reads live state; the context copies and freezes what it returns.
 */
export interface StrategyContextSource {
  readonly clock: Clock;
  quote(symbol: string): Quote | undefined;
  position(symbol: string): { readonly qty: string; readonly avgPrice?: string } | undefined;
  /** Every non-terminal order of this strategy instance, including those sent but not yet acknowledged. */
  openOrders(): readonly OpenOrderView[];
  equity?(): string | undefined;
  cash?(): string | undefined;
  instrument(symbol: string): InstrumentSpec | undefined;
}

/**
 * How the runner evaluates a strategy: on each event (at most once per `throttleMs` per instrument), or
 * on a timer every `intervalMs` (250..2000), calling onTimer.
 */
export type EvaluationPolicy =
  { readonly mode: 'event'; readonly throttleMs: number } | { readonly mode: 'poll'; readonly intervalMs: number };

/** Setup given to `create`; the same for the whole life of an instance. */
export interface StrategySetup {
  readonly instruments: readonly string[];
  /** Timeframes of the instance in ms, shortest first. */
  readonly timeframesMs: readonly number[];
}

/**
 * The closed bars of every instrument of the instance for one window of one timeframe, lined up by time:
 * `bars[symbol]` for each of its instruments (a unit's legs; one instrument otherwise).
 */
export interface UnitBars {
  readonly timeframeMs: number;
  readonly openTime: number;
  readonly closeTime: number;
  readonly bars: Readonly<Record<string, Bar>>;
}

/** The handlers a strategy's `create` returns; each has its own indicator state in its closure. */
export interface StrategyHandlers {
  onQuote?(quote: Readonly<Quote>, ctx: StrategyContext): HandlerResult;
  onTrade?(trade: Readonly<Trade>, ctx: StrategyContext): HandlerResult;
  /** Closed bars only, unless the definition sets wantsFormingBars. */
  onBar?(bar: Bar, ctx: StrategyContext): HandlerResult;
  /**
   * Closed bars of all the instance's instruments for one window, once every one of them has closed
   * its bar of that window (a unit's legs aligned by time; a window some instrument made no bar in is
   * skipped). Called after onBar for the bar that completed the window.
   */
  onBars?(bars: UnitBars, ctx: StrategyContext): HandlerResult;
  onTimer?(ctx: StrategyContext): HandlerResult;
  onOrderUpdate?(update: Readonly<OrderStatusUpdate>, ctx: StrategyContext): HandlerResult;
  onFill?(fill: Readonly<FillEvent>, ctx: StrategyContext): HandlerResult;
}

export type HandlerName = keyof StrategyHandlers;

/**
 * History a strategy needs before live bars mean anything: `bars` closed bars of `timeframe` (one of its
 * timeframes). The runner feeds them from the venue's klines before the first live bar, so an indicator
 * with a lookback of N can act on the first live bar instead of the N-th.
 */
export interface WarmupSpec {
  /** A timeframe label the strategy uses (`1m`). */
  readonly timeframe: string;
  /** Closed bars wanted, 1..MAX_WARMUP_BARS. */
  readonly bars: number;
}

/** A warm-up need of an instance, with its timeframe in ms. */
export interface WarmupNeed {
  readonly label: string;
  readonly ms: number;
  readonly bars: number;
}

/** The instance of a strategy the runner drives: every handler is present and returns validated drafts. */
export interface StrategyInstance<P = unknown> {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<P>;
  readonly instruments: readonly string[];
  /** The unit the definition declares (its instruments are traded together by this one instance), if any. */
  readonly unit: UnitSpec | undefined;
  readonly timeframes: readonly { readonly label: string; readonly ms: number }[];
  readonly wantsFormingBars: boolean;
  readonly evaluation: EvaluationPolicy;
  /** History it wants fed before live bars, one entry per timeframe (empty: none). */
  readonly warmup: readonly WarmupNeed[];
  /** How old a decision may be when it reaches the venue, per order style (DESIGN 13). */
  readonly maxDecisionAgeMs: MaxDecisionAge;
  /** The state after the last successful handler call; persist it and pass it back to restore. */
  readonly state: StrategyState;
  /**
   * Puts a state back (checked like a returned one; throws InvalidStrategyStateError). The runner uses
   * it to undo what a handler did to the state on a history (warm-up) bar, whose intents are dropped.
   */
  restoreState(state: StrategyState): void;
  /** Whether the strategy defines this handler (the others are no-ops): what events it asks for. */
  handles(handler: HandlerName): boolean;
  onQuote(quote: Quote, ctx: StrategyContext): readonly IntentDraft[];
  onTrade(trade: Trade, ctx: StrategyContext): readonly IntentDraft[];
  /** onBar's drafts, then onBars' when this bar completed a window of all the instruments. */
  onBar(bar: Bar, ctx: StrategyContext): readonly IntentDraft[];
  onTimer(ctx: StrategyContext): readonly IntentDraft[];
  onOrderUpdate(update: OrderStatusUpdate, ctx: StrategyContext): readonly IntentDraft[];
  onFill(fill: FillEvent, ctx: StrategyContext): readonly IntentDraft[];
}

/** What the runner asks for to start an instance. `params` are raw (from config) and are validated. */
export interface StrategyInstanceConfig {
  readonly params: unknown;
  readonly instruments: readonly string[];
  /** A state persisted from an earlier run. */
  readonly state?: StrategyState;
}

/** A versioned strategy: its params schema and how to make instances. */
export interface StrategyDefinition<P = unknown> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly wantsFormingBars: boolean;
  /**
   * Set when the strategy trades its instruments as one unit (pairs, spreads, baskets): one instance
   * over all the instruments it is given, leased as one; undefined: one instance per instrument.
   */
  readonly unit: UnitSpec | undefined;
  /** Validates raw params (defaults applied); throws InvalidStrategyParamsError naming each bad path. */
  parseParams(raw: unknown): P;
  /** Builds an instance; throws InvalidStrategyParamsError or InvalidStrategySetupError. */
  instantiate(config: StrategyInstanceConfig): StrategyInstance<P>;
}
