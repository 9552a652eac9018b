import type { BookLevel, ClientOrderId, InstrumentSymbol, OrderRequest, Quote } from '@bourse/contracts';
import {
  dec,
  isTerminal,
  roundPrice,
  roundQty,
  ZERO,
  type Decimal,
  type InstrumentSpec,
  type Order,
} from '@bourse/domain';
import { OrderManagerError, OrderManagerErrorCode } from '../errors.js';
import { checkMarketFallback, type FallbackDecision } from './fallback-guards.js';
import type { CancelReplaceRateLimit } from './replace-rate-limit.js';

// A limit order worked at the touch for a window, then (only where allowed and guarded) the rest at
// market. A pure state machine: the shell feeds it quotes (`onTick`) and the tracker's view of the
// child order (`onOrderUpdate`), and carries out the effects it returns (submit, cancel).
//
//   idle ──first two-sided quote──► working ──interval, touch moved──► canceling ──child terminal──► working (replacement)
//                                      │                                   │
//                                      └──window end──► canceling ─────────┴──window over──► fallback (market) ──► done
//
// A chase survives a restart through `LimitChase.resume`: the shell stores the parent, the start,
// the arrival mid, every child (role, counter, why we canceled it) before acting on it, and hands
// that progress back with the tracker's view of each child. Only a resumed chase can find itself
// having to place a replacement or the fallback before it saw a quote; it then waits in
// `awaiting-quote` for the first one.
//
// One child order is live at a time. A replacement is placed only after the venue has confirmed the
// cancel (the child is terminal), for the parent quantity minus everything filled so far, so a
// partial fill is always counted before the next order and the two can never overfill together.
// Decisions read the child's current state as the tracker holds it: a child that is filled,
// canceled, or not yet known (pending-new, unknown, pending-cancel) is never canceled or replaced.
// The chased price never crosses the parent's limit price: the strategy's limit is its worst price,
// and only the guarded market fallback may go past it.

export type ChasePhase = 'idle' | 'working' | 'canceling' | 'awaiting-quote' | 'fallback' | 'done';

/** What a child order is to its chase: the first (the parent's own id), a replacement, or the market fallback. */
export type ChildRole = 'first' | 'replacement' | 'fallback';

export type ChaseOutcome = 'filled' | 'stopped' | 'rejected';

/** Why the chase asked the venue to cancel a child; stored, so a resumed chase knows what was meant to follow. */
export type CancelReason = 'replace' | 'window-end' | 'abort';

export interface LimitChaseParams {
  /** A limit or limit-maker request with a qty, a price and constraints.limitWindowMs. */
  readonly parent: OrderRequest;
  readonly instrument: InstrumentSpec;
  /** When the parent arrived (ms): the window runs from here, also after a resume. */
  readonly startedAt: number;
  /** How long a child rests before it is canceled and replaced at the new touch. */
  readonly replaceIntervalMs: number;
  readonly maxReplacements: number;
  /** `join` the touch (best bid for a BUY), or `improve` it by one tick when the spread has room. */
  readonly placement: 'join' | 'improve';
  /** Widest spread (bps of mid) at which the market fallback may go. */
  readonly maxSpreadBps: Decimal;
  /**
   * The id of the `seq`th replacement or fallback order (1, 2, …; the first child keeps the parent's
   * client order id). The chase owns the counter so a resumed chase continues it and never repeats an id.
   */
  readonly childClientOrderId: (seq: number) => ClientOrderId;
  /** Shared by every tactic on the venue: the per-instrument cancel/replace budget. */
  readonly rateLimit: CancelReplaceRateLimit;
}

export type TacticEffect =
  /**
   * Submit this request (journal, trading-state check, venue) with submitOrder. `seq` is the counter
   * its id was made from (undefined for the first child): record it before submitting.
   */
  | {
      readonly kind: 'submit';
      readonly request: OrderRequest;
      readonly role: ChildRole;
      readonly seq: number | undefined;
    }
  /** Cancel this child at the venue (record `reason` first). */
  | {
      readonly kind: 'cancel';
      readonly clientOrderId: string;
      readonly symbol: InstrumentSymbol;
      readonly reason: CancelReason;
    }
  /** The tactic is over. */
  | {
      readonly kind: 'done';
      /** `rejected`: the first child was refused (by the venue or the OMS) before anything filled; `reason` is the refusal's. */
      readonly outcome: ChaseOutcome;
      readonly reason: string;
      readonly filledQty: string;
      readonly remainingQty: string;
    };

export interface TacticStep {
  readonly effects: readonly TacticEffect[];
  /** Why nothing (or less) happened: rate limited, max replacements, waiting for the venue… */
  readonly notes: readonly string[];
}

export interface LimitChaseStatus {
  readonly phase: ChasePhase;
  readonly childClientOrderId: string | undefined;
  readonly childPrice: Decimal | undefined;
  readonly replacements: number;
  /** Filled across every child so far. */
  readonly filledQty: Decimal;
  readonly arrivalMid: Decimal | undefined;
  readonly windowEndsAt: number;
  readonly fallback: FallbackDecision | undefined;
}

/** One child as stored by the shell, with the tracker's view of it. */
export interface ChaseChildProgress {
  readonly clientOrderId: string;
  readonly role: ChildRole;
  /** When the chase placed it (its request's createdAt): the replace interval counts from here. */
  readonly placedAt: number;
  /** Why the chase asked the venue to cancel it, when it did. */
  readonly cancelReason: CancelReason | undefined;
  /**
   * The tracker's view. Undefined only when the child was recorded but never journaled, so the venue
   * never heard of it (the process died between the two writes).
   */
  readonly order: Order | undefined;
}

/** What a chase stored before a restart. */
export interface LimitChaseProgress {
  /** In the order they were placed. */
  readonly children: readonly ChaseChildProgress[];
  /** The counter the next replacement or fallback id is made from. */
  readonly nextChildSeq: number;
  /** The mid when the first child was priced (the slippage guard's reference). */
  readonly arrivalMid: Decimal | undefined;
}

interface Child {
  readonly clientOrderId: string;
  readonly price: Decimal | undefined;
  readonly placedAt: number;
  readonly order: Order | undefined;
}

type PlacedChild = ChaseChildProgress & { readonly order: Order };
type Move = 'replace' | 'fallback';

export class LimitChase {
  private phase: ChasePhase = 'idle';
  private child: Child | undefined;
  private filledBefore: Decimal = ZERO;
  private replacements = 0;
  private arrivalMid: Decimal | undefined;
  private lastQuote: Quote | undefined;
  private farSide: readonly BookLevel[] | undefined;
  private cancelReason: CancelReason | undefined;
  private abortReason: string | undefined;
  private fallback: FallbackDecision | undefined;
  private nextSeq = 1;
  private pendingMove: Move | undefined;
  private readonly quantity: Decimal;
  private readonly limitPrice: Decimal;
  readonly windowEndsAt: number;

  /** Throws OMS_INVALID_TACTIC when the parent cannot be worked this way. */
  constructor(private readonly params: LimitChaseParams) {
    const { parent } = params;
    const invalid = (why: string) =>
      new OrderManagerError(
        OrderManagerErrorCode.INVALID_TACTIC,
        `limit chase for ${parent.clientOrderId}: ${why}`,
        parent.clientOrderId,
      );
    if (parent.style !== 'limit' && parent.style !== 'limit-maker')
      throw invalid(`style ${parent.style} does not rest on the book`);
    if (parent.qty === undefined || parent.price === undefined) throw invalid('needs a qty and a price');
    const window = parent.constraints?.limitWindowMs;
    if (window === undefined) throw invalid('needs constraints.limitWindowMs');
    if (!(params.replaceIntervalMs > 0))
      throw invalid(`replaceIntervalMs ${params.replaceIntervalMs} must be above zero`);
    if (!Number.isInteger(params.maxReplacements) || params.maxReplacements < 0) {
      throw invalid(`maxReplacements ${params.maxReplacements} must be a whole number of zero or more`);
    }
    this.quantity = dec(parent.qty);
    this.limitPrice = dec(parent.price);
    this.windowEndsAt = params.startedAt + window;
  }

  /**
   * Rebuilds a chase from what it stored before a restart, at `now`: filled quantity from every child,
   * the live child (at most one, the last placed) adopted, replacements already made counted, the
   * window from the stored start. The step says what to do at once: cancel a child whose window
   * ended during the outage (or whose cancel may have died with the process), finish when
   * everything is filled. A child still pending-new or unknown is waited on. Throws
   * OMS_TACTIC_RESUME for progress no chase could have stored.
   */
  static resume(
    params: LimitChaseParams,
    progress: LimitChaseProgress,
    now: number,
  ): { readonly chase: LimitChase; readonly step: TacticStep } {
    const chase = new LimitChase(params);
    return { chase, step: chase.restore(progress, now) };
  }

  status(): LimitChaseStatus {
    return {
      phase: this.phase,
      childClientOrderId: this.child?.clientOrderId,
      childPrice: this.child?.price,
      replacements: this.replacements,
      filledQty: this.filledBefore.plus(this.child?.order?.filledQty ?? ZERO),
      arrivalMid: this.arrivalMid,
      windowEndsAt: this.windowEndsAt,
      fallback: this.fallback,
    };
  }

  /** A new quote (and, when at hand, the far side's depth, best first). Places the first child, or cancels to replace or at the window's end. */
  onTick(now: number, quote: Quote, farSide?: readonly BookLevel[]): TacticStep {
    if (twoSided(quote)) {
      this.lastQuote = quote;
      this.farSide = farSide;
    }
    switch (this.phase) {
      case 'idle':
        return this.begin(now);
      case 'working':
        return this.work(now);
      case 'awaiting-quote':
        return this.afterQuote(now);
      default:
        return step([], []);
    }
  }

  /** The tracker's current view of a child order (after every change the tracker applied to it). */
  onOrderUpdate(order: Order, now: number): TacticStep {
    const child = this.child;
    if (child === undefined || order.clientOrderId !== child.clientOrderId) {
      return step([], [`${order.clientOrderId} is not the live child`]);
    }
    this.child = { ...child, order };
    if (!isTerminal(order.status)) {
      if (this.filledBefore.plus(order.filledQty).gte(this.quantity))
        return step([], ['parent quantity reached; waiting for the child to complete']);
      return step([], []);
    }
    this.filledBefore = this.filledBefore.plus(order.filledQty);
    this.child = undefined;
    const remaining = this.quantity.minus(this.filledBefore);
    if (!remaining.isPositive()) return this.finish('filled', 'parent quantity filled');
    const reason = this.cancelReason;
    this.cancelReason = undefined;
    // The parent's own order refused outright (nothing can have filled): the strategy's order was
    // rejected, for the refusal's reason, whenever that is learnt; no replacement and no fallback.
    if (order.status === 'rejected' && order.clientOrderId === this.params.parent.clientOrderId)
      return this.finish('rejected', order.rejectReason ?? 'the first order was rejected');
    if (this.phase === 'fallback') {
      return this.finish('stopped', `market fallback ended ${order.status} with ${remaining} unfilled`);
    }
    if (this.phase === 'canceling' && reason === 'abort')
      return this.finish('stopped', `aborted: ${this.abortReason ?? 'before a restart'}`);
    let move: Move;
    if (this.phase === 'canceling' && reason === 'replace' && now < this.windowEndsAt) move = 'replace';
    else if (this.phase === 'canceling' || now >= this.windowEndsAt) move = 'fallback';
    else {
      // Ended without our cancel before the window was over: rejected, expired, or canceled by someone else.
      const why = order.rejectReason !== undefined ? `: ${order.rejectReason}` : '';
      return this.finish('stopped', `child ${order.clientOrderId} ended ${order.status}${why}`);
    }
    // The price and the fallback guards need a quote; only a resumed chase can lack one here.
    if (this.lastQuote === undefined) {
      this.phase = 'awaiting-quote';
      this.pendingMove = move;
      return step([], [`waiting for a two-sided quote before the ${move}`]);
    }
    return move === 'replace' ? this.replace(now, remaining) : this.decideFallback(now, remaining);
  }

  /**
   * Stops the tactic (operator cancel, kill switch): cancels the live child and places nothing more.
   * `cancelSent`: the caller cancels the child itself (a cancel-all covering it), so no second cancel.
   */
  abort(reason: string, options: { cancelSent?: boolean } = {}): TacticStep {
    this.abortReason = reason;
    if (this.phase === 'done') return step([], ['already done']);
    const child = this.child;
    if (child === undefined || this.phase === 'idle') return this.finish('stopped', `aborted: ${reason}`);
    if (this.phase === 'canceling') {
      this.cancelReason = 'abort';
      return step([], ['cancel already in flight']);
    }
    this.phase = 'canceling';
    this.cancelReason = 'abort';
    if (options.cancelSent === true) return step([], ['the caller cancels the child']);
    return step([this.cancelEffect(child, 'abort')], []);
  }

  private restore(progress: LimitChaseProgress, now: number): TacticStep {
    const parentId = this.params.parent.clientOrderId;
    const refuse = (why: string) =>
      new OrderManagerError(OrderManagerErrorCode.TACTIC_RESUME, `limit chase for ${parentId}: ${why}`, {
        parent: parentId,
        children: progress.children.map((c) => c.clientOrderId),
      });
    if (!Number.isSafeInteger(progress.nextChildSeq) || progress.nextChildSeq < 1) {
      throw refuse(`next child counter ${progress.nextChildSeq} must be a whole number of one or more`);
    }
    this.nextSeq = progress.nextChildSeq;
    // A child recorded but never journaled never reached the venue: as far as the parent goes, it did not happen.
    const placed = progress.children.filter((c): c is PlacedChild => c.order !== undefined);
    placed.forEach((c, i) => {
      if ((c.role === 'first') !== (c.clientOrderId === parentId) || (c.role === 'first' && i > 0)) {
        throw refuse(`child ${c.clientOrderId} cannot be the ${c.role} child at position ${i + 1}`);
      }
      if (i === placed.length - 1) return;
      // A child is placed only once the one before it ended, and nothing follows the fallback.
      if (!isTerminal(c.order.status)) throw refuse(`child ${c.clientOrderId} is ${c.order.status} but not the last`);
      if (c.role === 'fallback') throw refuse(`the fallback ${c.clientOrderId} is followed by another child`);
    });
    this.replacements = placed.filter((c) => c.role === 'replacement').length;
    const last = placed[placed.length - 1];
    if (last === undefined) {
      this.phase = 'idle';
      return step([], ['resumed before any child reached the venue; waiting for a two-sided quote']);
    }
    if (progress.arrivalMid === undefined) throw refuse('no arrival mid stored although a child was placed');
    this.arrivalMid = progress.arrivalMid;
    this.filledBefore = placed.slice(0, -1).reduce((sum, c) => sum.plus(c.order.filledQty), ZERO);
    const { order } = last;
    this.child = { clientOrderId: last.clientOrderId, price: order.price, placedAt: last.placedAt, order };
    this.phase = last.role === 'fallback' ? 'fallback' : last.cancelReason !== undefined ? 'canceling' : 'working';
    this.cancelReason = last.cancelReason;
    if (isTerminal(order.status)) return this.onOrderUpdate(order, now);
    if (this.phase === 'working') return this.work(now);
    const reason = this.cancelReason;
    if (
      this.phase === 'canceling' &&
      reason !== undefined &&
      order.status !== 'pending-new' &&
      order.status !== 'unknown'
    ) {
      // The cancel was recorded before it was sent, so it may have died with the process; a repeated
      // cancel of an order already canceled is answered with the order's state.
      return step([this.cancelEffect(this.child, reason)], []);
    }
    return step([], [`resumed with child ${last.clientOrderId} ${order.status}; waiting for the venue`]);
  }

  private afterQuote(now: number): TacticStep {
    if (this.lastQuote === undefined) return step([], ['waiting for a two-sided quote']);
    const move = this.pendingMove ?? 'fallback';
    this.pendingMove = undefined;
    const remaining = this.quantity.minus(this.filledBefore);
    // The window may have ended while waiting: then the replacement becomes the fallback decision.
    if (move === 'replace' && now < this.windowEndsAt) return this.replace(now, remaining);
    return this.decideFallback(now, remaining);
  }

  private begin(now: number): TacticStep {
    const quote = this.lastQuote;
    if (quote === undefined) return step([], ['waiting for a two-sided quote']);
    if (now >= this.windowEndsAt) return this.finish('stopped', 'the window ended before a two-sided quote arrived');
    this.arrivalMid = dec(quote.bidPrice).plus(dec(quote.askPrice)).div(dec(2), 12);
    return this.place(now, this.params.parent.clientOrderId, this.quantity, 'first', undefined);
  }

  private work(now: number): TacticStep {
    const child = this.child;
    const status = child?.order?.status ?? 'pending-new';
    if (child === undefined) return step([], []);
    if (status !== 'new' && status !== 'partially-filled') {
      return step([], [`child ${child.clientOrderId} is ${status}; waiting for the venue before acting on it`]);
    }
    if (now >= this.windowEndsAt) return this.cancel(child, 'window-end');
    if (now - child.placedAt < this.params.replaceIntervalMs) return step([], []);
    const target = this.touchPrice();
    if (target === undefined) return step([], ['no two-sided quote']);
    if (child.price !== undefined && target.eq(child.price)) return step([], ['still at the touch']);
    if (this.replacements >= this.params.maxReplacements) {
      return step([], [`max replacements (${this.params.maxReplacements}) reached; resting until the window ends`]);
    }
    if (!this.params.rateLimit.tryAcquire(this.params.parent.instrument, now)) {
      const at = this.params.rateLimit.nextAllowedAt(this.params.parent.instrument, now);
      return step([], [`cancel/replace rate limit for ${this.params.parent.instrument}: next allowed at ${at}`]);
    }
    return this.cancel(child, 'replace');
  }

  private replace(now: number, remaining: Decimal): TacticStep {
    const qty = roundQty(this.params.instrument, remaining);
    const min = this.params.instrument.minQty;
    if (!qty.isPositive() || (min !== undefined && qty.lt(min))) {
      return this.finish('stopped', `remaining ${remaining} is below what the venue accepts`);
    }
    this.replacements += 1;
    const seq = this.drawSeq();
    return this.place(now, this.params.childClientOrderId(seq), qty, 'replacement', seq);
  }

  private drawSeq(): number {
    const seq = this.nextSeq;
    this.nextSeq += 1;
    return seq;
  }

  private place(
    now: number,
    clientOrderId: string,
    qty: Decimal,
    role: ChildRole,
    seq: number | undefined,
  ): TacticStep {
    const price = this.touchPrice();
    if (price === undefined) return this.finish('stopped', 'no two-sided quote to price the order');
    const { parent } = this.params;
    // A child is never sent after its window: a late resend after an unknown outcome is abandoned
    // instead. The first child is the decision's own order, so its decision's shelf life holds too:
    // a chase that waited (for a quote, a paused submission) must not carry a stale decision to the venue.
    const decisionExpiry = role === 'first' ? parent.expiresAt : undefined;
    const expiresAt =
      decisionExpiry !== undefined
        ? Math.min(decisionExpiry, this.windowEndsAt)
        : this.windowEndsAt > now
          ? this.windowEndsAt
          : undefined;
    const request: OrderRequest = {
      ...withoutTactic(parent),
      // Tick-to-trade is the decision's: its first order only, not what the chase places on later ticks.
      ...(role === 'first' && parent.marketDataAt !== undefined ? { marketDataAt: parent.marketDataAt } : {}),
      clientOrderId: clientOrderId as ClientOrderId,
      qty: qty.toString(),
      price: price.toString(),
      // The first child is the decision's order (it carries the parent's id): it keeps the decision's
      // time, so its shelf life is judged as the decision's even when it has passed by now (the OMS
      // then records it expired, and the chase ends on that).
      createdAt: role === 'first' ? Math.min(parent.createdAt, now) : now,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
    this.child = { clientOrderId, price, placedAt: now, order: undefined };
    this.phase = 'working';
    return step([{ kind: 'submit', request, role, seq }], []);
  }

  private cancel(child: Child, reason: CancelReason): TacticStep {
    this.phase = 'canceling';
    this.cancelReason = reason;
    return step([this.cancelEffect(child, reason)], []);
  }

  private cancelEffect(child: Child, reason: CancelReason): TacticEffect {
    return { kind: 'cancel', clientOrderId: child.clientOrderId, symbol: this.params.parent.instrument, reason };
  }

  private decideFallback(now: number, remaining: Decimal): TacticStep {
    const { parent, instrument } = this.params;
    const qty = roundQty(instrument, remaining, { market: true });
    const decision = checkMarketFallback({
      side: parent.side,
      remaining: qty.isPositive() ? qty : remaining,
      quote: this.lastQuote,
      ...(this.farSide !== undefined ? { farSide: this.farSide } : {}),
      arrivalMid: this.arrivalMid ?? ZERO,
      constraints: parent.constraints,
      maxSpreadBps: this.params.maxSpreadBps,
    });
    this.fallback = decision;
    if (!decision.allowed)
      return this.finish('stopped', `window over with ${remaining} unfilled; no market fallback: ${decision.reason}`);
    const min = instrument.marketMinQty ?? instrument.minQty;
    if (!qty.isPositive() || (min !== undefined && qty.lt(min))) {
      return this.finish('stopped', `window over; remaining ${remaining} is below the market order minimum`);
    }
    const { price: _price, timeInForce: _tif, ...rest } = withoutTactic(parent);
    const seq = this.drawSeq();
    const request: OrderRequest = {
      ...rest,
      clientOrderId: this.params.childClientOrderId(seq),
      style: 'market',
      qty: qty.toString(),
      createdAt: now,
      // The guards held for this moment only: never send it late.
      expiresAt: now + this.params.replaceIntervalMs,
    };
    this.child = { clientOrderId: request.clientOrderId, price: undefined, placedAt: now, order: undefined };
    this.phase = 'fallback';
    return step([{ kind: 'submit', request, role: 'fallback', seq }], []);
  }

  private finish(outcome: ChaseOutcome, reason: string): TacticStep {
    this.phase = 'done';
    const remaining = this.quantity.minus(this.filledBefore);
    return step(
      [
        {
          kind: 'done',
          outcome,
          reason,
          filledQty: this.filledBefore.toString(),
          remainingQty: (remaining.isPositive() ? remaining : ZERO).toString(),
        },
      ],
      [],
    );
  }

  // At or inside the touch, on the tick grid (passive rounding), never past the parent's limit.
  private touchPrice(): Decimal | undefined {
    const q = this.lastQuote;
    if (q === undefined) return undefined;
    const { instrument, parent, placement } = this.params;
    const bid = dec(q.bidPrice);
    const ask = dec(q.askPrice);
    const tick = instrument.tickSize;
    const buy = parent.side === 'BUY';
    let price = buy ? bid : ask;
    if (placement === 'improve' && tick !== undefined) {
      const inside = buy ? bid.plus(tick) : ask.minus(tick);
      if (inside.gt(bid) && inside.lt(ask)) price = inside;
    }
    if (buy ? price.gt(this.limitPrice) : price.lt(this.limitPrice)) price = this.limitPrice;
    return roundPrice(instrument, price, parent.side, 'passive');
  }
}

function twoSided(q: Quote): boolean {
  return dec(q.bidPrice).isPositive() && dec(q.askPrice).isPositive();
}

// Children carry no tactic constraints (the tactic holds them) and their own expiry.
function withoutTactic(parent: OrderRequest): OrderRequest {
  const copy: OrderRequest = { ...parent };
  delete copy.constraints;
  delete copy.expiresAt;
  delete copy.marketDataAt;
  return copy;
}

function step(effects: TacticEffect[], notes: string[]): TacticStep {
  return { effects, notes };
}
