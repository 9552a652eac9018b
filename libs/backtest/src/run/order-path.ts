import type { ExecutionEvent, Intent, OrderRequest } from '@bourse/contracts';
import { ONE, dec, tryDec, type Decimal } from '@bourse/domain';
import { submitOrder } from '@bourse/execution';
import type { CoreOutput } from '@bourse/strategy';
import { RoundTrips } from '../engine/round-trips.js';
import type { SimVenue } from '../engine/sim-venue.js';
import type { SimVenues } from '../engine/sim-venues.js';
import type { VirtualClock } from '../engine/virtual-clock.js';
import type { Cores } from './cores.js';

// The order path of a backtest: the runner's intents → the risk gate → accepted requests in flight
// for the latency → the OMS core's submitOrder → the simulated venue → its reports → the OMS tracker
// → execution events back to the risk gate and the runner. Every decision on the way is a core's.

/**
 * An order on its way to the venue. A fraction-of-equity order keeps its fraction here until the
 * fill, where the venue resolves it against the equity then (backtesting.py's rule), not the
 * quoteQty the strategy computed from the equity at its decision.
 */
interface PendingOrder {
  readonly request: OrderRequest;
  readonly fraction: Decimal | undefined;
}

export interface OrderPathOptions {
  readonly clock: VirtualClock;
  /** The simulated venue, or one per instrument (a unit backtest). */
  readonly venue: PathVenue;
  readonly cores: Cores;
  /** Decision to venue, in milliseconds. */
  readonly latencyMs: number;
  /** Told every intent the strategy emits, before the risk gate sees it. */
  readonly onIntent: ((intent: Intent) => void) | undefined;
}

/** How many lines of rejections a run keeps for its report. */
const MAX_REJECTIONS = 100;

/** What the order path asks of the venue beyond the OMS's port. */
export type PathVenue = Pick<
  SimVenue | SimVenues,
  'fillsMarketNow' | 'sizeQuoteOrder' | 'sizeFractionOrder' | 'reportCount' | 'drain'
>;

export class OrderPath {
  /** Round trips per instrument, from every fill in order. */
  private readonly tripsBySymbol = new Map<string, RoundTrips>();
  /** Intents the risk gate refused and orders the venue expired, with why (the first hundred). */
  readonly rejections: string[] = [];
  /** Intents the risk gate decided on (each counts as one of the run's events). */
  decisions = 0;
  /** Accepted order requests on their way to the venue, due at decision time + latency. */
  private readonly inFlight: ({ due: number } & PendingOrder)[] = [];
  /** Quote-sized requests that reached the venue and wait for a price to be sized at (see submit()). */
  private readonly awaitingSize: PendingOrder[] = [];
  /** While the end-of-data closeout fills: the time its round trips are stamped with. */
  private closeoutStamp: number | undefined;
  private lastFill: string | undefined;

  constructor(private readonly options: OrderPathOptions) {}

  /** The run's round trips on its instrument (the first leg's, in a unit backtest), from every fill in order. */
  get trips(): RoundTrips {
    return this.tripsOf(this.options.cores.ref.symbol);
  }

  /** The round trips of one instrument. */
  tripsOf(symbol: string): RoundTrips {
    let trips = this.tripsBySymbol.get(symbol);
    if (trips === undefined) {
      trips = new RoundTrips();
      this.tripsBySymbol.set(symbol, trips);
    }
    return trips;
  }

  /** The price of the latest fill, if any. */
  get lastFillPrice(): string | undefined {
    return this.lastFill;
  }

  /** Intents from the runner → the risk gate now → accepted requests leave for the venue (latency). */
  route(out: CoreOutput): void {
    for (const intent of out.intents) this.decide(intent);
    for (const notice of out.notices) {
      if (notice.kind === 'paused') throw new Error(`strategy paused on ${notice.trigger}: ${notice.message}`);
      this.remember(
        notice.kind === 'suppressed'
          ? `intent suppressed (${notice.reason}): ${notice.detail}`
          : `${notice.kind}: ${notice.message}`,
      );
    }
  }

  // The event loop asks these before awaiting a step: on most ticks no step has work, and awaiting one
  // anyway costs a promise and a microtask each, several times a tick. Skipping an idle step changes
  // nothing: each step returns at once without work.

  /** Whether `deliverDue(until)` has a request to hand over. */
  hasDue(until: number): boolean {
    return this.inFlight.length > 0 && this.inFlight[0]!.due <= until;
  }

  /** Whether `sizeWaiting()` has a request to size now. */
  needsSizing(): boolean {
    return this.awaitingSize.length > 0 && this.options.venue.fillsMarketNow();
  }

  /** Whether `applyReports()` has venue reports to apply. */
  hasReports(): boolean {
    return this.options.venue.reportCount > 0;
  }

  /** Hands the venue every request due by `until`, in due order, at its due time. */
  async deliverDue(until: number): Promise<void> {
    const { clock } = this.options;
    while (this.inFlight.length > 0 && this.inFlight[0]!.due <= until) {
      const { due, ...order } = this.inFlight.shift()!;
      if (due > clock.now()) clock.set(due);
      await this.submit(order);
      await this.applyReports();
    }
  }

  async sizeWaiting(): Promise<void> {
    const { venue } = this.options;
    if (this.awaitingSize.length === 0 || !venue.fillsMarketNow()) return;
    // Earlier orders (a flip's closing leg) must have filled first, so the cash they free is counted.
    await this.applyReports();
    while (this.awaitingSize.length > 0) {
      const { request, fraction } = this.awaitingSize.shift()!;
      const qty =
        fraction !== undefined
          ? venue.sizeFractionOrder(request.side, fraction)
          : venue.sizeQuoteOrder(request.side, dec(request.quoteQty!));
      if (!qty.isPositive()) {
        // As backtesting.py's broker does: an order that no longer fits is cancelled, never part-filled.
        this.remember(
          `order ${request.clientOrderId} cancelled: the equity available at the fill buys less than one lot`,
        );
        continue;
      }
      const { quoteQty: _quote, ...rest } = request;
      await this.submit({ request: { ...rest, qty: qty.toString() } as OrderRequest, fraction: undefined });
      await this.applyReports();
    }
  }

  /** Venue reports → the OMS tracker → its execution events → runner and risk gate. */
  async applyReports(): Promise<void> {
    const { venue, cores } = this.options;
    for (const report of venue.drain()) {
      const change = cores.tracker.applyExecutionReport(report.update, report.fill);
      const events: ExecutionEvent[] = [...change.statusUpdates, ...change.fills.map((f) => f.event)];
      if (report.update.reason !== undefined && report.fill === undefined)
        this.remember(`order ${report.update.clientOrderId} ${report.update.status}: ${report.update.reason}`);
      for (const f of change.fills) {
        this.tripsOf(f.event.instrument).apply({
          side: f.event.side,
          qty: dec(f.event.qty),
          price: dec(f.event.price),
          fee: dec(f.event.fee),
          time: this.closeoutStamp ?? f.event.venueTime,
        });
        this.lastFill = f.event.price;
      }
      this.publish(events);
    }
  }

  /** The data ended: orders still on their way or waiting for a size never fill (no later price exists). */
  abandonPending(): void {
    for (const { request } of this.inFlight) this.remember(`order ${request.clientOrderId} not sent: the data ended`);
    for (const { request } of this.awaitingSize)
      this.remember(`order ${request.clientOrderId} not filled: the data ended`);
    this.inFlight.length = 0;
    this.awaitingSize.length = 0;
  }

  /**
   * Sends the end-of-data closeout through the OMS like any order; its round trips are stamped with
   * `stamp` (the last bar's own time) rather than the virtual clock, which has passed that bar's close.
   */
  async closeOut(request: OrderRequest, stamp: number): Promise<void> {
    this.closeoutStamp = stamp;
    await this.submit({ request, fraction: undefined });
    await this.applyReports();
    this.closeoutStamp = undefined;
  }

  remember(line: string): void {
    if (this.rejections.length < MAX_REJECTIONS) this.rejections.push(line);
  }

  private decide(intent: Intent): void {
    const { cores, clock } = this.options;
    this.decisions++;
    this.options.onIntent?.(intent);
    const evaluation = cores.risk.onIntent(intent);
    cores.runner.onRiskDecision(evaluation.decision);
    if (evaluation.decision.outcome === 'rejected') {
      this.remember(`intent ${intent.id} rejected: ${evaluation.decision.failures.map((f) => f.message).join('; ')}`);
      return;
    }
    if (evaluation.orderRequest !== undefined) {
      const request = evaluation.orderRequest;
      this.inFlight.push({
        due: clock.now() + this.options.latencyMs,
        request,
        fraction: request.quoteQty !== undefined ? sizeFractionOf(intent) : undefined,
      });
    }
  }

  /**
   * A quote-sized request (Binance's quoteOrderQty) goes through submitOrder and the OrderTracker
   * like any other: the venue sizes it at its fill. A fraction-of-equity request (backtesting.py's
   * `size < 1`) is sized by the equity at the fill, which only the engine knows: it waits here until
   * the venue has a price it may fill at, is sized by the venue's rule (cash then available, fill
   * price, lot) and only then goes through submitOrder, filling at once.
   */
  private async submit(order: PendingOrder): Promise<void> {
    const { request } = order;
    if (request.qty === undefined && request.quoteQty !== undefined && order.fraction !== undefined) {
      this.awaitingSize.push(order);
      await this.sizeWaiting();
      return;
    }
    const result = await submitOrder(request, this.options.cores.oms);
    if (result.outcome.kind !== 'accepted')
      this.remember(
        `order ${request.clientOrderId} ${result.outcome.kind}: ${'reason' in result.outcome ? result.outcome.reason : ''}`,
      );
    this.publish(result.events);
  }

  private publish(events: readonly ExecutionEvent[]): void {
    const { risk, runner } = this.options.cores;
    for (const event of events) {
      risk.onExecutionEvent(event);
      this.route(runner.onExecution(event));
    }
  }
}

/**
 * The fraction of equity a quote-sized intent was sized with, as the SDK's sizing rule records it
 * (`inputs.sizeFraction`); undefined for a quote amount chosen otherwise, which then stays a fixed
 * notional (Binance quoteOrderQty).
 */
function sizeFractionOf(intent: Intent): Decimal | undefined {
  const raw = intent.inputs['sizeFraction'];
  const fraction = raw === undefined ? undefined : tryDec(raw);
  return fraction !== undefined && fraction.isPositive() && fraction.lte(ONE) ? fraction : undefined;
}
