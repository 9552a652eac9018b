import type {
  ExecutionEvent,
  FillEvent,
  OrderRequest,
  OrderStatusUpdate,
  Quote,
  RiskDecision,
  Side,
  TradingMode,
  TradingState,
  TradingStateScope,
} from '@bourse/contracts';
import { tradingStateKey } from '@bourse/contracts';
import {
  ONE,
  PositionBook,
  ZERO,
  dec,
  parseClientOrderId,
  type Balances,
  type Decimal,
  type FillConflictError,
  type InvalidArgumentError,
  type Position,
} from '@bourse/domain';
import { dayStart, positionDayPnl, type DayStartMark } from './daily-pnl.js';
import {
  applyOrderFill,
  applyStatus,
  committedBy,
  expireOrder,
  isInFlight,
  mergeRequest,
  remainingQty,
  trackedFromEvent,
  trackedFromRequest,
  type TrackedOrder,
} from './tracked-order.js';

// Everything the risk rules look at, changed only by applying messages: execution events, quotes,
// trading states, balance snapshots and the gate's own decisions and order requests. Applying the
// same message twice changes nothing, and the order of arrival does not matter: fills are keyed by
// venue fill id and folded in venue order, filled quantities only grow, terminal statuses stick,
// quotes, trading states and balance snapshots keep the newest by their own timestamp.

/** Strategy id for fills and orders that no strategy of ours placed (not a valid StrategyId, so no clash). */
export const EXTERNAL_STRATEGY = '~external';

const MODE_SEVERITY: Record<TradingMode, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };
/** How many decisions are remembered for redelivered intents, and rejections for the cooldown. */
/** A quote's mid is (bid + ask) × HALF: parsed once, not on every quote. */
const HALF = dec('0.5');
const DECISION_MEMORY = 10_000;
const STREAK_MEMORY = 1_000;
/** Order times kept for the rate limit: a day is more than any sensible window. */
const ORDER_TIME_MEMORY_MS = 86_400_000;

export type ApplyOutcome =
  | { readonly outcome: 'applied' }
  | { readonly outcome: 'duplicate' }
  /** Not for this gate (another venue) or older than what is held; nothing changed. */
  | { readonly outcome: 'ignored'; readonly reason: string }
  /** A conflicting repeat of a fill id, or a malformed fill: nothing changed; the shell dead-letters it. */
  | { readonly outcome: 'rejected'; readonly error: FillConflictError | InvalidArgumentError };

/** Free and locked per asset as the venue reported them at `asOf` (venue time, ms). */
export interface BalanceSnapshot {
  readonly asOf: number;
  readonly balances: Balances;
}

export interface QuoteView {
  readonly bid: Decimal;
  readonly ask: Decimal;
  /** Undefined while one side of the book is empty. */
  readonly mid?: Decimal;
  readonly receivedAt: number;
}

/** One trading day's P&L in one quote asset, marked to market from the day-start mark (see daily-pnl.ts). */
export interface DailyPnl {
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  /** Today's fees that could be converted to this asset at the mark. */
  readonly fees: Decimal;
  /** realized − fees + unrealized. */
  readonly total: Decimal;
  /** Open instruments with no mid: their unrealized P&L is not in `unrealized`. */
  readonly unmarked: readonly string[];
  /** Today's fees in an asset with no mark against this one, per asset: not in `fees`. */
  readonly unpricedFees: readonly { readonly asset: string; readonly amount: Decimal }[];
  /** Instruments whose carried quantity was valued from an estimated day-start mark (the gate started after the boundary). */
  readonly estimatedStart: readonly string[];
}

export interface RecordedDecision {
  readonly decision: RiskDecision;
  readonly orderRequest?: OrderRequest;
}

export interface RiskStateOptions {
  /** The venue this gate serves; messages of other venues are ignored. */
  readonly venue: string;
  /** Contract multiplier per instrument (1 for spot, the default). */
  readonly multiplier?: (instrument: string) => Decimal;
  /** Where the trading day starts, in ms after UTC midnight (0, the default: UTC midnight). */
  readonly dayStartOffsetMs?: number;
}

/** What start-up reads: orders from Postgres, the EXEC stream, and the latest snapshots. */
export interface RebuildInput {
  readonly orders?: Iterable<OrderRequest>;
  readonly events?: Iterable<ExecutionEvent>;
  readonly decisions?: Iterable<RecordedDecision>;
  /**
   * Decisions recalled from the RISK and ORDERS streams: remembered for redelivered intents only. Their
   * orders are not put in flight (the shell passes those the OMS does not know in `orders`), and they
   * do not count towards the rejection cooldown.
   */
  readonly recalled?: Iterable<RecordedDecision>;
  readonly balances?: BalanceSnapshot;
  readonly tradingStates?: Iterable<TradingState>;
  readonly quotes?: Iterable<Quote>;
}

const assetsOf = (instrument: string): { base: string; quote: string } => {
  const [base = '', quote = ''] = instrument.split('/');
  return { base, quote };
};

export class RiskState {
  readonly venue: string;
  private readonly multiplier: (instrument: string) => Decimal;
  private readonly book: PositionBook;
  private readonly seenEvents = new Set<string>();
  private readonly orders = new Map<string, TrackedOrder>();
  private dayStartOffsetMs: number;
  /** Per instrument, the mid at the start of the latest trading day a quote was seen in. */
  private readonly dayMarks = new Map<string, DayStartMark>();
  private readonly quotes = new Map<string, QuoteView>();
  private readonly tradingStates = new Map<string, TradingState>();
  private balanceSnapshot: BalanceSnapshot | undefined;
  /** Balance changes of fills after the snapshot, so a newer snapshot can drop the ones it includes. */
  private balanceFills: { atMs: number; deltas: [string, Decimal][] }[] = [];
  private readonly orderTimes = new Map<string, Map<string, number>>();
  private readonly rejectionStreaks = new Map<string, number[]>();
  private readonly decisions = new Map<string, RecordedDecision>();

  constructor(options: RiskStateOptions) {
    this.venue = options.venue;
    this.multiplier = options.multiplier ?? (() => ONE);
    this.book = new PositionBook(this.multiplier);
    this.dayStartOffsetMs = options.dayStartOffsetMs ?? 0;
  }

  /** Moves the day boundary; marks taken at the old boundary no longer apply (the next quote estimates one). */
  setDayStartOffset(offsetMs: number): void {
    if (offsetMs === this.dayStartOffsetMs) return;
    this.dayStartOffsetMs = offsetMs;
    this.dayMarks.clear();
  }

  /** A state built from start-up input, in a fixed order (orders, events, decisions, snapshots); duplicates are harmless. */
  static rebuild(input: RebuildInput, options: RiskStateOptions): RiskState {
    const state = new RiskState(options);
    for (const order of input.orders ?? []) state.recordAccepted(order);
    for (const event of input.events ?? []) state.applyExecutionEvent(event);
    for (const d of input.decisions ?? []) state.recordDecision(d.decision, d.orderRequest);
    for (const d of input.recalled ?? []) state.rememberDecision(d);
    if (input.balances) state.applyBalances(input.balances);
    for (const ts of input.tradingStates ?? []) state.applyTradingState(ts);
    for (const q of input.quotes ?? []) state.applyQuote(q);
    return state;
  }

  // ---- applying messages -------------------------------------------------------------------

  /** Applies a status update or a fill once (by event id, and fills by venue fill id). */
  applyExecutionEvent(event: ExecutionEvent): ApplyOutcome {
    if (event.venue !== this.venue) return { outcome: 'ignored', reason: `venue ${event.venue} is not ${this.venue}` };
    if (this.seenEvents.has(event.eventId)) return { outcome: 'duplicate' };
    const result = event.type === 'fill' ? this.applyFillEvent(event) : this.applyStatusUpdate(event);
    if (result.outcome === 'applied' || result.outcome === 'duplicate') this.seenEvents.add(event.eventId);
    return result;
  }

  private applyStatusUpdate(update: OrderStatusUpdate): ApplyOutcome {
    const order = this.orderFor(update.clientOrderId, update.instrument);
    this.orders.set(order.clientOrderId, applyStatus(order, update));
    return { outcome: 'applied' };
  }

  private applyFillEvent(event: FillEvent): ApplyOutcome {
    const order = this.orderFor(event.clientOrderId, event.instrument);
    const qty = dec(event.qty);
    const price = dec(event.price);
    const fee = dec(event.fee);
    const fill = {
      fillId: event.venueFillId,
      strategyId: order.strategyId,
      instrument: event.instrument,
      side: event.side,
      qty,
      price,
      fee: { asset: event.feeAsset, amount: fee },
      atMs: event.venueTime,
      clientOrderId: event.clientOrderId,
    };
    const result = this.book.applyFill(fill);
    if (result.outcome === 'rejected') return { outcome: 'rejected', error: result.error };
    // The same fill under another event id (user stream and reconciler): count it once.
    if (result.outcome === 'duplicate') return { outcome: 'duplicate' };
    this.orders.set(order.clientOrderId, applyOrderFill(order, qty, price));
    const { base, quote } = assetsOf(event.instrument);
    const notional = qty.times(price).times(this.multiplier(event.instrument));
    const deltas: [string, Decimal][] =
      event.side === 'BUY'
        ? [
            [quote, notional.neg()],
            [base, qty],
          ]
        : [
            [base, qty.neg()],
            [quote, notional],
          ];
    if (!fee.isZero()) deltas.push([event.feeAsset, fee.neg()]);
    if (this.balanceSnapshot === undefined || event.venueTime > this.balanceSnapshot.asOf) {
      this.balanceFills.push({ atMs: event.venueTime, deltas });
    }
    return { outcome: 'applied' };
  }

  private orderFor(clientOrderId: string, instrument: string): TrackedOrder {
    const known = this.orders.get(clientOrderId);
    if (known) return known;
    const parsed = parseClientOrderId(clientOrderId);
    return trackedFromEvent(clientOrderId, parsed.ok ? parsed.value.strategyId : EXTERNAL_STRATEGY, instrument);
  }

  /** Keeps the newest quote per instrument (by receipt time). */
  applyQuote(quote: Quote): ApplyOutcome {
    if (quote.venue !== this.venue) return { outcome: 'ignored', reason: `venue ${quote.venue} is not ${this.venue}` };
    const held = this.quotes.get(quote.instrument);
    if (held && held.receivedAt > quote.receivedAt) return { outcome: 'ignored', reason: 'older than the held quote' };
    const bid = dec(quote.bidPrice);
    const ask = dec(quote.askPrice);
    const mid = bid.isPositive() && ask.isPositive() ? bid.plus(ask).times(HALF) : undefined;
    this.noteDayStart(quote.instrument, held, mid, quote.receivedAt);
    this.quotes.set(quote.instrument, { bid, ask, mid, receivedAt: quote.receivedAt });
    return { outcome: 'applied' };
  }

  /**
   * The first quote of a trading day fixes the day's start mark: the last mid held from before the
   * boundary, or, when the gate holds none (it started after the boundary), this quote's mid marked
   * as an estimate.
   */
  private noteDayStart(instrument: string, held: QuoteView | undefined, mid: Decimal | undefined, at: number): void {
    const start = dayStart(at, this.dayStartOffsetMs);
    const known = this.dayMarks.get(instrument);
    if (known !== undefined && known.dayStart >= start) return;
    if (held?.mid !== undefined && held.receivedAt < start) {
      this.dayMarks.set(instrument, { dayStart: start, mid: held.mid, estimated: false });
    } else if (mid !== undefined) {
      this.dayMarks.set(instrument, { dayStart: start, mid, estimated: true });
    }
  }

  /** The instrument's mark at `start`: the held mid when it is from before the boundary, else the day's noted mark. */
  private startMark(instrument: string, start: number): DayStartMark | undefined {
    const held = this.quotes.get(instrument);
    if (held?.mid !== undefined && held.receivedAt < start) return { dayStart: start, mid: held.mid, estimated: false };
    const noted = this.dayMarks.get(instrument);
    return noted?.dayStart === start ? noted : undefined;
  }

  /** Keeps the newest entry per scope; on a tie of times the more restrictive mode wins. */
  applyTradingState(state: TradingState): ApplyOutcome {
    const key = tradingStateKey(state.scope);
    const held = this.tradingStates.get(key);
    if (held) {
      const older = held.updatedAt > state.updatedAt;
      const tieLoses = held.updatedAt === state.updatedAt && MODE_SEVERITY[held.mode] > MODE_SEVERITY[state.mode];
      if (older || tieLoses) return { outcome: 'ignored', reason: 'older than the held trading state' };
    }
    this.tradingStates.set(key, state);
    return { outcome: 'applied' };
  }

  /** Replaces the balances with a newer venue snapshot; fills after its time stay applied on top. */
  applyBalances(snapshot: BalanceSnapshot): ApplyOutcome {
    if (this.balanceSnapshot && this.balanceSnapshot.asOf > snapshot.asOf) {
      return { outcome: 'ignored', reason: 'older than the held balance snapshot' };
    }
    this.balanceSnapshot = snapshot;
    this.balanceFills = this.balanceFills.filter((f) => f.atMs > snapshot.asOf);
    return { outcome: 'applied' };
  }

  /** An order request the gate accepted: in flight (committing balance) until its first execution event. */
  recordAccepted(order: OrderRequest): ApplyOutcome {
    if (order.venue !== this.venue) return { outcome: 'ignored', reason: `venue ${order.venue} is not ${this.venue}` };
    const known = this.orders.get(order.clientOrderId);
    if (known?.qty !== undefined || known?.quoteQty !== undefined) return { outcome: 'duplicate' };
    this.orders.set(order.clientOrderId, known ? mergeRequest(known, order) : trackedFromRequest(order));
    const times = this.orderTimes.get(order.strategyId) ?? new Map<string, number>();
    times.set(order.clientOrderId, order.createdAt);
    for (const [id, at] of times) if (at < order.createdAt - ORDER_TIME_MEMORY_MS) times.delete(id);
    this.orderTimes.set(order.strategyId, times);
    return { outcome: 'applied' };
  }

  /**
   * The gate's own decision: remembered for a redelivered intent, and rejections counted for the
   * cooldown (an acceptance ends the streak; a rejection by the cooldown alone does not count).
   */
  recordDecision(decision: RiskDecision, orderRequest?: OrderRequest): ApplyOutcome {
    if (this.rememberDecision(orderRequest ? { decision, orderRequest } : { decision }).outcome === 'duplicate') {
      return { outcome: 'duplicate' };
    }
    if (orderRequest) this.recordAccepted(orderRequest);
    if (decision.outcome === 'accepted') {
      this.rejectionStreaks.delete(decision.strategyId);
    } else if (!decision.failures.some((f) => f.rule === 'rejection-cooldown')) {
      const streak = this.rejectionStreaks.get(decision.strategyId) ?? [];
      streak.push(decision.decidedAt);
      streak.sort((a, b) => a - b);
      if (streak.length > STREAK_MEMORY) streak.shift();
      this.rejectionStreaks.set(decision.strategyId, streak);
    }
    return { outcome: 'applied' };
  }

  /** Remembers a decision for a redelivered intent (the last DECISION_MEMORY), and nothing else. */
  rememberDecision(recorded: RecordedDecision): ApplyOutcome {
    const { decision } = recorded;
    if (this.decisions.has(decision.intentId)) return { outcome: 'duplicate' };
    this.decisions.set(decision.intentId, recorded);
    if (this.decisions.size > DECISION_MEMORY) {
      const oldest = this.decisions.keys().next();
      if (!oldest.done) this.decisions.delete(oldest.value);
    }
    return { outcome: 'applied' };
  }

  /**
   * Closes an order still in flight (accepted, no execution event) that the OMS never received, so
   * it stops counting as open and committing balance. False when it is not in flight (any event seen).
   */
  expireInFlight(clientOrderId: string): boolean {
    const order = this.orders.get(clientOrderId);
    if (order === undefined || !isInFlight(order)) return false;
    this.orders.set(clientOrderId, expireOrder(order));
    return true;
  }

  /** In-flight orders created at or before `cutoff` (epoch ms), oldest first. */
  inFlightSince(cutoff: number): TrackedOrder[] {
    return [...this.orders.values()]
      .filter((o) => isInFlight(o) && o.createdAt !== undefined && o.createdAt <= cutoff)
      .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  }

  // ---- what the rules read -----------------------------------------------------------------

  /** The decision already made for an intent (a redelivery), if remembered. */
  decisionFor(intentId: string): RecordedDecision | undefined {
    return this.decisions.get(intentId);
  }

  /** Signed position of a strategy in an instrument, from fills. */
  position(strategyId: string, instrument: string): Decimal {
    return this.book.position(strategyId, instrument).qty;
  }

  /** Net signed position across every strategy (external fills included). */
  aggregatePosition(instrument: string): Decimal {
    return this.book.byInstrument(instrument).reduce((sum, p) => sum.plus(p.qty), ZERO);
  }

  /** Every order still open or in flight. */
  openOrders(): TrackedOrder[] {
    return [...this.orders.values()].filter((o) => !o.terminal);
  }

  /** Open or in-flight orders of a strategy, across instruments. */
  openOrdersOf(strategyId: string): TrackedOrder[] {
    return this.openOrders().filter((o) => o.strategyId === strategyId);
  }

  /** Open or in-flight orders on an instrument, of every strategy. */
  openOrdersOn(instrument: string): TrackedOrder[] {
    return this.openOrders().filter((o) => o.instrument === instrument);
  }

  /** Base quantity still to trade on one side of an instrument, by one strategy or (undefined) all. */
  pendingQty(instrument: string, side: Side, strategyId?: string): Decimal {
    const mid = this.quote(instrument)?.mid;
    return this.openOrdersOn(instrument)
      .filter((o) => o.side === side && (strategyId === undefined || o.strategyId === strategyId))
      .reduce((sum, o) => sum.plus(remainingQty(o, mid)), ZERO);
  }

  /** Instruments where a strategy (or, undefined, anyone) holds a position or an open order. */
  instrumentsHeld(strategyId?: string): string[] {
    const out = new Set<string>();
    for (const p of this.book.positions()) {
      if (!p.qty.isZero() && (strategyId === undefined || p.strategyId === strategyId)) out.add(p.instrument);
    }
    for (const o of this.openOrders())
      if (strategyId === undefined || o.strategyId === strategyId) out.add(o.instrument);
    return [...out].sort();
  }

  /** Strategies (ours) holding a position or an open order in the instrument. */
  strategiesOn(instrument: string): string[] {
    const ids = new Set<string>();
    for (const p of this.book.byInstrument(instrument)) if (!p.qty.isZero()) ids.add(p.strategyId);
    for (const o of this.openOrdersOn(instrument)) ids.add(o.strategyId);
    ids.delete(EXTERNAL_STRATEGY);
    return [...ids].sort();
  }

  /** What open and in-flight orders hold of an asset. */
  committed(asset: string): Decimal {
    let sum = ZERO;
    for (const o of this.openOrders()) {
      const c = committedBy(o, assetsOf(o.instrument), this.quote(o.instrument)?.mid);
      if (c && c[0] === asset) sum = sum.plus(c[1]);
    }
    return sum;
  }

  /** True once a balance snapshot has been applied. */
  hasBalances(): boolean {
    return this.balanceSnapshot !== undefined;
  }

  /**
   * Free to commit: the snapshot's free plus locked, plus what later fills moved, minus what our
   * open and in-flight orders hold. Counting locked back in and our orders out (rather than free
   * minus our orders) does not subtract an acknowledged order twice (the venue has already moved it
   * from free to locked); orders placed outside Bourse are the reconciler's to flag.
   */
  available(asset: string): Decimal {
    const b = this.balanceSnapshot?.balances[asset];
    let total = b ? b.free.plus(b.locked) : ZERO;
    for (const f of this.balanceFills) for (const [a, d] of f.deltas) if (a === asset) total = total.plus(d);
    return total.minus(this.committed(asset));
  }

  quote(instrument: string): QuoteView | undefined {
    return this.quotes.get(instrument);
  }

  /** Trading-state entries that apply to an intent (global, instrument by venue symbol, strategy). */
  tradingStatesFor(venueSymbol: string, strategyId: string): { global?: TradingState; entries: TradingState[] } {
    const global = this.tradingStates.get(tradingStateKey({ kind: 'global' }));
    const entries = [
      global,
      this.tradingStates.get(tradingStateKey({ kind: 'instrument', symbol: venueSymbol })),
      this.tradingStates.get(tradingStateKey({ kind: 'strategy', strategyId })),
    ].filter((s): s is TradingState => s !== undefined);
    return { global, entries };
  }

  /** The held entry of one scope, if any. */
  tradingState(scope: TradingStateScope): TradingState | undefined {
    return this.tradingStates.get(tradingStateKey(scope));
  }

  /** Strategies with a position (open or closed) or an order on record, ours only. */
  strategyIds(): string[] {
    const ids = new Set<string>([...this.book.positions().map((p) => p.strategyId)]);
    for (const o of this.orders.values()) ids.add(o.strategyId);
    ids.delete(EXTERNAL_STRATEGY);
    return [...ids].sort();
  }

  /** The strategy an order belongs to: its request's, else the one in our client order id, else EXTERNAL_STRATEGY. */
  strategyOf(clientOrderId: string): string {
    const known = this.orders.get(clientOrderId);
    if (known) return known.strategyId;
    const parsed = parseClientOrderId(clientOrderId);
    return parsed.ok ? parsed.value.strategyId : EXTERNAL_STRATEGY;
  }

  /** Order requests of a strategy created in (since, until]. */
  ordersBetween(strategyId: string, since: number, until: number): number {
    let n = 0;
    for (const at of this.orderTimes.get(strategyId)?.values() ?? []) if (at > since && at <= until) n++;
    return n;
  }

  /** Times of the strategy's rejections since its last acceptance (cooldown rejections left out), oldest first. */
  rejectionStreak(strategyId: string): readonly number[] {
    return this.rejectionStreaks.get(strategyId) ?? [];
  }

  /**
   * P&L of the trading day holding `now`, per quote asset, marked to market from the day-start mark
   * (daily-pnl.ts): realized by today's fills, plus the change in value of what is open since the
   * boundary (or its fill today), minus today's fees at the current mark. One strategy's, or every
   * position's when `strategyId` is undefined.
   */
  dailyPnl(now: number, strategyId?: string): Map<string, DailyPnl> {
    const start = dayStart(now, this.dayStartOffsetMs);
    interface Acc {
      realized: Decimal;
      unrealized: Decimal;
      fees: Decimal;
      unmarked: Set<string>;
      unpriced: Map<string, Decimal>;
      estimated: Set<string>;
    }
    const out = new Map<string, Acc>();
    const positions: Position[] = strategyId === undefined ? this.book.positions() : this.book.byStrategy(strategyId);
    for (const p of positions) {
      const acc: Acc = out.get(p.quote) ?? {
        realized: ZERO,
        unrealized: ZERO,
        fees: ZERO,
        unmarked: new Set(),
        unpriced: new Map(),
        estimated: new Set(),
      };
      const day = positionDayPnl({
        strategyId: p.strategyId,
        instrument: p.instrument,
        multiplier: p.multiplier,
        todaysFills: this.book.fillsSince(p.strategyId, p.instrument, start),
        qty: p.qty,
        dayStart: start,
        startMark: this.startMark(p.instrument, start),
        mark: this.quote(p.instrument)?.mid,
        priceOf: (asset) => this.quote(`${asset}/${p.quote}`)?.mid,
      });
      acc.realized = acc.realized.plus(day.realized);
      acc.fees = acc.fees.plus(day.fees);
      if (day.unrealized === undefined) acc.unmarked.add(p.instrument);
      else acc.unrealized = acc.unrealized.plus(day.unrealized);
      if (day.estimatedStart) acc.estimated.add(p.instrument);
      for (const [asset, amount] of day.unpricedFees)
        acc.unpriced.set(asset, (acc.unpriced.get(asset) ?? ZERO).plus(amount));
      out.set(p.quote, acc);
    }
    return new Map(
      [...out].map(([asset, a]) => [
        asset,
        {
          realized: a.realized,
          unrealized: a.unrealized,
          fees: a.fees,
          total: a.realized.minus(a.fees).plus(a.unrealized),
          unmarked: [...a.unmarked].sort(),
          unpricedFees: [...a.unpriced]
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([asset, amount]) => ({ asset, amount })),
          estimatedStart: [...a.estimated].sort(),
        },
      ]),
    );
  }

  /** Every position with a fill, for status views and tests. */
  positions(): Position[] {
    return this.book.positions();
  }
}
