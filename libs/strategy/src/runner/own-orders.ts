import {
  TERMINAL_ORDER_STATUSES,
  type ExecutionEvent,
  type FillEvent,
  type Intent,
  type OrderStatusUpdate,
  type RiskDecision,
} from '@bourse/contracts';
import { PositionBook, averageEntryPrice, dec, parseClientOrderId } from '@bourse/domain';
import type { OpenOrderView } from '../types.js';

/** How long an intent without a risk decision still counts as an open order. */
export const DEFAULT_PENDING_INTENT_TTL_MS = 30_000;

interface Pending {
  readonly view: OpenOrderView;
  readonly strategyId: string;
  readonly sentAt: number;
}

/** An execution event that belongs to one of our strategies. */
export type OwnExecution =
  | { readonly strategyId: string; readonly kind: 'order-status'; readonly event: OrderStatusUpdate }
  | { readonly strategyId: string; readonly kind: 'fill'; readonly event: FillEvent };

/**
 * The runner's strategies' own orders and positions, followed from what they sent and what came back:
 * an emitted intent is an open order at once (status `pending-new`, keyed by intent id) so a strategy
 * never sends twice while the first is in flight; the risk decision drops it (rejected) or re-keys it
 * to its client order id (accepted); order-status events move it and remove it once terminal. Positions
 * come from fills only, de-duplicated by venue fill id (principles 4 and 6).
 *
 * Ownership of an execution event comes from its client order id, which embeds the strategy id
 * (`@bourse/domain` parseClientOrderId). An order the runner never saw an intent for (placed before a
 * restart) moves the position through its fills, but is not listed as open: the status events do not
 * carry its side and size.
 */
export class OwnOrders {
  private readonly pending = new Map<string, Pending>();
  private readonly open = new Map<string, { strategyId: string; view: OpenOrderView }>();
  private readonly positions = new PositionBook();
  private untracked = 0;
  private conflicting = 0;

  constructor(
    private readonly strategyIds: ReadonlySet<string>,
    private readonly pendingTtlMs = DEFAULT_PENDING_INTENT_TTL_MS,
  ) {}

  /** Fills refused because a different fill arrived earlier under the same venue fill id. */
  get conflictingFills(): number {
    return this.conflicting;
  }

  /** Status events for orders of ours that were not known (placed before this process started). */
  get untrackedOrderEvents(): number {
    return this.untracked;
  }

  onIntentSent(intent: Intent, now: number): void {
    const view: OpenOrderView = {
      clientOrderId: intent.id,
      intentId: intent.id,
      instrument: intent.instrument,
      side: intent.side,
      style: intent.style,
      // A quote-sized intent has no base qty until the venue sizes it.
      qty: intent.qty ?? '0',
      filledQty: '0',
      status: 'pending-new',
      ...(intent.price !== undefined ? { price: intent.price } : {}),
    };
    this.pending.set(intent.id, { view, strategyId: intent.strategyId, sentAt: now });
  }

  onRiskDecision(decision: RiskDecision): void {
    const pending = this.pending.get(decision.intentId);
    if (pending === undefined) return;
    this.pending.delete(decision.intentId);
    if (decision.outcome === 'rejected') return;
    if (this.open.has(decision.clientOrderId)) return;
    this.open.set(decision.clientOrderId, {
      strategyId: pending.strategyId,
      view: { ...pending.view, clientOrderId: decision.clientOrderId },
    });
  }

  /** Applies an execution event; returns it with its strategy when it is one of ours. */
  onExecution(event: ExecutionEvent): OwnExecution | undefined {
    const strategyId = this.ownerOf(event.clientOrderId);
    if (strategyId === undefined) return undefined;
    if (event.type === 'fill') {
      const applied = this.positions.applyFill({
        fillId: event.venueFillId,
        strategyId,
        instrument: event.instrument,
        side: event.side,
        qty: dec(event.qty),
        price: dec(event.price),
        fee: { asset: event.feeAsset, amount: dec(event.fee) },
        atMs: event.venueTime,
        clientOrderId: event.clientOrderId,
      });
      if (applied.outcome === 'rejected') this.conflicting++;
      return { strategyId, kind: 'fill', event };
    }
    const known = this.open.get(event.clientOrderId);
    if (TERMINAL_ORDER_STATUSES.includes(event.status)) {
      this.open.delete(event.clientOrderId);
    } else if (known !== undefined) {
      // The OMS may publish an order's own `pending-new` after venue updates that overtook it; an
      // order never goes back to pending-new, and its filled quantity only grows.
      const status = event.status === 'pending-new' ? known.view.status : event.status;
      const filledQty = dec(event.filledQty).gt(dec(known.view.filledQty)) ? event.filledQty : known.view.filledQty;
      known.view = { ...known.view, status, filledQty };
    } else {
      this.untracked++;
    }
    return { strategyId, kind: 'order-status', event };
  }

  /** Forgets an intent that never left the runner. */
  forget(intentId: string): void {
    this.pending.delete(intentId);
  }

  /** Drops intents that never got a risk decision within the TTL, so they stop counting as open. */
  expire(now: number): void {
    for (const [id, p] of this.pending) if (now - p.sentAt > this.pendingTtlMs) this.pending.delete(id);
  }

  openOrders(strategyId: string): OpenOrderView[] {
    const out: OpenOrderView[] = [];
    for (const p of this.pending.values()) if (p.strategyId === strategyId) out.push(p.view);
    for (const o of this.open.values()) if (o.strategyId === strategyId) out.push(o.view);
    return out;
  }

  /** Signed qty and average entry price, or undefined when the strategy never traded the instrument. */
  position(strategyId: string, symbol: string): { qty: string; avgPrice?: string } | undefined {
    const fills = this.positions.fills(strategyId, symbol);
    if (fills.length === 0) return undefined;
    const p = this.positions.position(strategyId, symbol);
    const avg = averageEntryPrice(p);
    return avg === undefined ? { qty: p.qty.toString() } : { qty: p.qty.toString(), avgPrice: avg.toString() };
  }

  private ownerOf(clientOrderId: string): string | undefined {
    const parsed = parseClientOrderId(clientOrderId);
    if (!parsed.ok || !this.strategyIds.has(parsed.value.strategyId)) return undefined;
    return parsed.value.strategyId;
  }
}
