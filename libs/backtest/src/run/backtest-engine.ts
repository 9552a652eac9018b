import { ZERO, dec, type Decimal } from '@bourse/domain';
import type { BarPrice } from '@bourse/strategy';
import type { Bar } from '../data/bars.js';
import { executionModel, type ExecutionModel } from '../engine/execution.js';
import { quoteAround } from '../engine/pricing.js';
import { SimVenue } from '../engine/sim-venue.js';
import { VirtualClock } from '../engine/virtual-clock.js';
import { InvalidBacktestArgumentError } from '../errors.js';
import { closeoutRequest, closeoutSource, type LatestPrice } from './closeout.js';
import { CoreFeed } from './core-feed.js';
import { backtestInstrument, wireCores, type Cores } from './cores.js';
import { EquityCurve } from './equity-curve.js';
import { EventTally } from './event-tally.js';
import { OrderPath } from './order-path.js';
import { backtestResult } from './result.js';
import { BACKTEST_VENUE, type BacktestResult, type BacktestSpec, type Closeout } from './spec.js';

// The event loop of one backtest: each bar or tick becomes the price events the simulated venue fills
// at and the market events the cores see, in the order and at the virtual times the execution model
// fixes (libs/backtest/README.md, "Execution model"). The loop decides nothing itself: the strategy,
// risk and OMS cores decide, the order path carries their orders, the venue fills them.

const MIN_TRADE_QTY = '0.00000001';
const TWO = dec('2');

export class BacktestEngine {
  readonly clock = new VirtualClock(0);
  private readonly model: ExecutionModel;
  private readonly venue: SimVenue;
  private readonly cores: Cores;
  private readonly orders: OrderPath;
  private readonly feed: CoreFeed;
  private readonly curve: EquityCurve;
  private mark: Decimal = ZERO;
  private last: Bar | undefined;
  /** The latest price: where a position open at the end is closed (a bar's close; a tick's touch). */
  private lastPrice: LatestPrice | undefined;
  private lastClose = 0;
  private count = 0;
  /** Price events the venue was given (the risk gate's decisions are counted by the order path). */
  private priceEvents = 0;
  private readonly held = { bars: 0, quotes: 0, trades: 0 };
  private readonly tally = new EventTally();
  private readonly barPrice: BarPrice;

  constructor(
    private readonly spec: BacktestSpec,
    private readonly input: 'bars' | 'ticks',
  ) {
    this.barPrice = spec.barPrice ?? 'last';
    if (input === 'bars' && this.barPrice !== 'last') {
      throw new InvalidBacktestArgumentError(
        'barPrice',
        this.barPrice,
        "applies to quote and trade ticks; OHLCV bars are the data's own prices",
      );
    }
    this.model = executionModel(spec.execution);
    const { ref, instrument } = backtestInstrument(spec.symbol, this.model);
    this.venue = new SimVenue({
      clock: this.clock,
      model: this.model,
      venue: BACKTEST_VENUE,
      symbol: spec.symbol,
      venueSymbol: ref.venueSymbol,
      cash: spec.cash,
      allowShort: spec.longShort,
    });
    const markOf = (): Decimal => this.mark;
    this.cores = wireCores({
      spec,
      definition: this.tally.watch(spec.strategy),
      barPrice: this.barPrice,
      clock: this.clock,
      venue: this.venue,
      ref,
      instrument,
      markOf,
    });
    this.orders = new OrderPath({
      clock: this.clock,
      venue: this.venue,
      cores: this.cores,
      latencyMs: this.model.config.latencyMs,
      onIntent: spec.onIntent,
    });
    this.feed = new CoreFeed(this.cores, this.orders, this.venue, markOf);
    this.curve = new EquityCurve(spec.barMs);
  }

  async onBar(bar: Bar, onBar?: (count: number) => void): Promise<void> {
    if (bar.time < this.lastClose) {
      throw new InvalidBacktestArgumentError(
        `bar at line ${bar.line} time`,
        new Date(bar.time).toISOString(),
        `starts before the previous bar closed (${new Date(this.lastClose).toISOString()}): the bar period is ${this.spec.barMs} ms`,
      );
    }
    const { orders, venue, feed } = this;
    if (this.last === undefined) this.clock.set(bar.time);
    this.held.bars++;
    const closeTime = bar.time + this.spec.barMs;
    // Orders that reach the venue before this bar opens wait there for the open.
    if (orders.hasDue(bar.time)) await orders.deliverDue(bar.time);
    this.clock.set(bar.time);
    const open = dec(bar.open);
    const o = quoteAround(open, this.model);
    this.priceEvents++;
    // The open: market orders fill, and resting orders the open gapped through.
    venue.onPrice({ time: bar.time, bid: o.bid, ask: o.ask, volume: bar.volumeNum, market: true });
    if (orders.needsSizing()) await orders.sizeWaiting();
    if (orders.hasReports()) await orders.applyReports();
    // The runner builds its bar from four trades sharing the bar's volume (only bar volume reads it).
    const tradeQty = bar.volumeNum > 0 ? (bar.volumeNum / 4).toFixed(8) : MIN_TRADE_QTY;
    feed.barTrade(bar, 0, bar.open, tradeQty === '0.00000000' ? MIN_TRADE_QTY : tradeQty, bar.time);

    // The rest of the bar's range, judged in its last millisecond: a resting limit or stop order that
    // the high or low reached fills there, so no fill tells the strategy where the bar went before
    // the bar is over. Then the bar's prices reach the runner as its trades, in that same last
    // millisecond, so the runner's own bar builder closes it when the clock reaches closeTime: no
    // strategy sees a bar before it closed.
    if (orders.hasDue(closeTime - 1)) await orders.deliverDue(closeTime - 1);
    this.clock.set(closeTime - 1);
    if (venue.workingCount > 0) {
      venue.onPrice({
        time: closeTime - 1,
        bid: o.bid,
        ask: o.ask,
        volume: bar.volumeNum,
        range: { open, high: dec(bar.high), low: dec(bar.low), close: dec(bar.close) },
        market: false,
        rangeFrom: bar.time,
      });
      if (orders.hasReports()) await orders.applyReports();
    }
    feed.barTrade(bar, 1, bar.high, tradeQty, closeTime - 1);
    feed.barTrade(bar, 2, bar.low, tradeQty, closeTime - 1);
    feed.barTrade(bar, 3, bar.close, tradeQty, closeTime - 1);

    if (orders.hasDue(closeTime)) await orders.deliverDue(closeTime);
    this.clock.set(closeTime);
    const close = dec(bar.close);
    const c = quoteAround(close, this.model);
    this.mark = close;
    feed.quote(c.bid, c.ask, closeTime);
    // `--fill close`: orders reaching the venue at the close trade at it. `next-open`: nothing trades
    // at the close, so what is decided there waits for the next bar's open.
    if (this.model.config.fill === 'close') {
      venue.onPrice({ time: closeTime, bid: c.bid, ask: c.ask, volume: bar.volumeNum, market: true });
      if (orders.hasReports()) await orders.applyReports();
    }
    orders.route(this.cores.runner.onClock());
    if (orders.hasDue(closeTime)) await orders.deliverDue(closeTime);
    if (orders.needsSizing()) await orders.sizeWaiting();
    if (orders.hasReports()) await orders.applyReports();
    this.curve.addBar(bar.time, venue.equity(close).toNumber(), bar.closeNum);
    this.last = bar;
    this.lastPrice = { bid: c.bid, ask: c.ask, mark: close, volume: bar.volumeNum };
    this.lastClose = closeTime;
    this.count++;
    onBar?.(this.count);
  }

  /**
   * A quote tick: the venue fills at its bid/ask (a market order waiting, a resting limit or stop the
   * touch reached), then the risk gate and the runner see it, and what the strategy decides leaves
   * for the venue (with latency 0 it meets this same quote: the strategy saw it before deciding).
   */
  async onQuoteTick(time: number, bidPrice: string, askPrice: string, bidQty: string, askQty: string): Promise<void> {
    if (this.wakeDue(time)) await this.wakeUntil(time);
    if (this.orders.hasDue(time)) await this.orders.deliverDue(time);
    this.clock.set(time);
    this.held.quotes++;
    const bid = dec(bidPrice);
    const ask = dec(askPrice);
    const mark = bid.plus(ask).div(TWO, 18, 'half-even');
    // Proportional slippage measures size against the size displayed at the touch (both sides' mean).
    const volume = (Number(bidQty) + Number(askQty)) / 2;
    this.mark = mark;
    this.priceEvents++;
    this.venue.onPrice({ time, bid, ask, volume, market: true });
    if (this.orders.needsSizing()) await this.orders.sizeWaiting();
    if (this.orders.hasReports()) await this.orders.applyReports();
    this.feed.quote(bid, ask, time, bidQty, askQty);
    await this.afterTick(time, { bid, ask, mark, volume });
  }

  /** A trade tick: the venue fills at its price (bid = ask = price), then the runner sees the trade. */
  async onTradeTick(time: number, price: string, qty: string, aggressor: 'BUY' | 'SELL', id: string): Promise<void> {
    if (this.wakeDue(time)) await this.wakeUntil(time);
    if (this.orders.hasDue(time)) await this.orders.deliverDue(time);
    this.clock.set(time);
    this.held.trades++;
    const p = dec(price);
    const volume = Number(qty);
    this.mark = p;
    this.priceEvents++;
    this.venue.onPrice({ time, bid: p, ask: p, volume, market: true });
    if (this.orders.needsSizing()) await this.orders.sizeWaiting();
    if (this.orders.hasReports()) await this.orders.applyReports();
    this.feed.tradeTick(time, price, qty, aggressor, id);
    await this.afterTick(time, { bid: p, ask: p, mark: p, volume });
  }

  /**
   * Ticks: the virtual clock stops at every time the runner asked to be woken (a bar's window end, a
   * timer strategy's next run) before `time`, as the live runner's timer fires there, so a bar closes
   * and is decided on at its close time rather than at the next tick.
   */
  /** Whether `wakeUntil(time)` has a wake to run: awaited only then, as the order path's steps are. */
  private wakeDue(time: number): boolean {
    const at = this.cores.runner.nextWakeAt();
    return at !== undefined && at < time;
  }

  private async wakeUntil(time: number): Promise<void> {
    const { runner } = this.cores;
    for (let at = runner.nextWakeAt(); at !== undefined && at < time; at = runner.nextWakeAt()) {
      if (this.orders.hasDue(at)) await this.orders.deliverDue(at);
      if (at > this.clock.now()) this.clock.set(at);
      const before = this.clock.now();
      this.orders.route(runner.onClock());
      if (this.orders.hasDue(before)) await this.orders.deliverDue(before);
      if (this.orders.needsSizing()) await this.orders.sizeWaiting();
      if (this.orders.hasReports()) await this.orders.applyReports();
      // A wake that does not move the runner's schedule forward would loop: leave it to the tick.
      const next = runner.nextWakeAt();
      if (next !== undefined && next <= at) break;
    }
  }

  private async afterTick(time: number, price: LatestPrice): Promise<void> {
    this.orders.route(this.cores.runner.onClock());
    if (this.orders.hasDue(time)) await this.orders.deliverDue(time);
    if (this.orders.needsSizing()) await this.orders.sizeWaiting();
    if (this.orders.hasReports()) await this.orders.applyReports();
    this.lastPrice = price;
    this.curve.sampleTick(time, this.venue.cash(), this.venue.position(), price.mark);
    this.count++;
  }

  async finish(): Promise<BacktestResult> {
    const last = this.lastPrice;
    if (last === undefined) throw new InvalidBacktestArgumentError('data', 0, 'the input has no bars or ticks');
    const { orders, venue } = this;
    let closeout: Closeout | undefined;
    // Orders still on their way or working when the data ends never fill: no later price exists.
    orders.abandonPending();
    venue.cancelAll('the data ended');
    await orders.applyReports();
    const position = venue.position();
    if (!position.isZero()) {
      // Positions still open are closed at the last bar's close (through the OMS, like any order),
      // so every trade is counted; the report names the price.
      const side = position.isPositive() ? 'SELL' : 'BUY';
      venue.onPrice({ time: this.clock.now(), bid: last.bid, ask: last.ask, volume: last.volume, market: true });
      const qty = position.abs().toString();
      const request = closeoutRequest(side, qty, this.clock.now(), this.spec.strategy.version, this.cores.ref);
      // The trade ends on the last bar (backtesting.py's convention, and where the curve's last point
      // is): the virtual clock has passed its close, but the trade is stamped with the bar's own time.
      await orders.closeOut(request, this.last?.time ?? this.clock.now());
      closeout = {
        time: this.last?.time ?? this.clock.now(),
        price: orders.lastFillPrice ?? last.mark.toString(),
        qty,
        side,
        priceSource: closeoutSource(this.last !== undefined, side, last),
      };
      this.curve.remarkLast(venue.equity(last.mark).toNumber());
    }
    return backtestResult({
      curve: this.curve.points,
      trades: orders.trips.trades,
      feesPaid: venue.feesPaid.toString(),
      execution: this.model.config,
      closeout,
      rejections: orders.rejections,
      events: this.priceEvents + orders.decisions,
      dataHeld: this.held,
      starved: this.tally.starvedWarning(this.spec.strategy.name, this.held, this.input, this.barPrice),
    });
  }
}
