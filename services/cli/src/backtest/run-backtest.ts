import {
  OrderStyle,
  tradingStateKey,
  type ExecutionEvent,
  type Intent,
  type OrderRequest,
  type Quote,
  type Trade,
  type TradingState,
} from '@bourse/contracts';
import {
  RoundTrips,
  SimVenue,
  VirtualClock,
  computeStats,
  executionModel,
  quoteAround,
  InvalidBacktestArgumentError,
  type Bar,
  type ClosedTrade,
  type EquityPoint,
  type ExecutionConfig,
  type ExecutionModel,
  type Stats,
} from '@bourse/backtest';
import {
  ClientOrderIdGenerator,
  Decimal,
  InstrumentRegistry,
  ONE,
  ZERO,
  dec,
  spotInstrument,
  tryDec,
  type InstrumentSpec,
} from '@bourse/domain';
import { OrderTracker, submitOrder, type SubmissionDeps } from '@bourse/order-manager';
import { RiskGateCore, RiskState, parseLimits } from '@bourse/risk-gate';
import type { BarPrice, HandlerName, StrategyDefinition, StrategyInstance } from '@bourse/strategy';
import { RunnerCore, type CoreOutput, type InstrumentRef, type StrategyConfig } from '@bourse/strategy-runner';
import { MemoryJournal } from './memory-journal.js';

// The backtest engine: the strategy-runner, risk-gate and OMS cores, unchanged, wired in one process
// to the simulated venue (libs/backtest SimVenue over libs/matching) and one virtual clock. This file
// holds the wiring and the order of events only; every decision is made by a core.

/** Longer than any history a backtest replays (100 years): the shelf life of every order style. */
const BACKTEST_DECISION_AGE_MS = Object.fromEntries(
  OrderStyle.options.map((style) => [style, 100 * 365 * 86_400_000]),
) as Record<OrderStyle, number>;

export const BACKTEST_VENUE = 'backtest';
export const BACKTEST_STRATEGY_ID = 'backtest';
const MIN_TRADE_QTY = '0.00000001';
/** Displayed size of the quotes made from bars: bars say nothing of depth. */
const DEEP = '1000000000';
const TWO = dec('2');

function quoteOf(instrument: string, bid: string, ask: string, bidQty: string, askQty: string, at: number): Quote {
  return {
    v: 1,
    venue: BACKTEST_VENUE,
    instrument,
    bidPrice: bid,
    bidQty,
    askPrice: ask,
    askQty,
    receivedAt: at,
  } as Quote;
}

export interface BacktestSpec {
  readonly strategy: StrategyDefinition;
  /** Raw strategy params (sizing, mode and timeframe included); the definition validates them. */
  readonly params: Record<string, unknown>;
  /** `BASE/QUOTE`; a CSV of a stock is traded as e.g. `GOOG/USD`. */
  readonly symbol: string;
  readonly cash: string;
  readonly execution: Partial<ExecutionConfig>;
  readonly longShort: boolean;
  /** The bars' period; each bar closes (and is seen by the strategy) at time + barMs. */
  readonly barMs: number;
  /** Told every intent the strategy emits, before the risk gate sees it (tests compare decisions). */
  readonly onIntent?: (intent: Intent) => void;
  /**
   * Ticks: what the strategy's bars are built from — `last` (trades, the default) or the quotes'
   * `mid`, `bid` or `ask`. Bar data is the bars' own prices and takes only `last`.
   */
  readonly barPrice?: BarPrice;
}

export interface BacktestResult {
  readonly stats: Stats;
  readonly trades: ClosedTrade[];
  readonly curve: EquityPoint[];
  readonly execution: ExecutionConfig;
  /** Where a position still open at the end was closed, if one was. */
  readonly closeout: Closeout | undefined;
  /** Intents the risk gate refused and orders the venue expired, with why (a summary for the report). */
  readonly rejections: string[];
  readonly events: number;
  /** What the data held, by kind: the input's bars, quotes and trades. */
  readonly dataHeld: DataHeld;
  /** Problems with the run as a whole, e.g. a strategy that received none of the events it asked for. */
  readonly warnings: string[];
}

export interface DataHeld {
  readonly bars: number;
  readonly quotes: number;
  readonly trades: number;
}

/** A position still open when the data ended, closed at the last price the data gave. */
export interface Closeout {
  /** The last bar's own time (bars), or the last tick's (ticks). */
  readonly time: number;
  readonly price: string;
  readonly qty: string;
  readonly side: 'BUY' | 'SELL';
  /** Which price that was, in words: "the last bar's close", "the last quote's bid", ... */
  readonly priceSource: string;
}

/**
 * An order on its way to the venue. A fraction-of-equity order keeps its fraction here until the
 * fill, where the venue resolves it against the equity then (backtesting.py's rule), not the
 * quoteQty the strategy computed from the equity at its decision.
 */
interface PendingOrder {
  readonly request: OrderRequest;
  readonly fraction: Decimal | undefined;
}

const ACTIVE = (scope: TradingState['scope'], at: number): TradingState => ({
  v: 1,
  scope,
  mode: 'ACTIVE',
  reason: 'backtest',
  setBy: 'backtest',
  updatedAt: at,
});

/** Limits wide enough that only a real inconsistency (no quote, no cash) stops an order. */
function backtestLimits() {
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

/** Runs one backtest over bars (in time order, one pass). */
export async function runBacktest(
  spec: BacktestSpec,
  bars: AsyncIterable<Bar> | Iterable<Bar>,
  onBar?: (count: number) => void,
): Promise<BacktestResult> {
  const engine = new BacktestEngine(spec, 'bars');
  for await (const bar of bars) await engine.onBar(bar, onBar);
  return engine.finish();
}

/** A quote or trade tick for runTickBacktest (decimal strings, times in epoch ms, in time order). */
export type TickEvent =
  | {
      readonly kind: 'quote';
      readonly time: number;
      readonly bidPrice: string;
      readonly askPrice: string;
      readonly bidQty: string;
      readonly askQty: string;
    }
  | {
      readonly kind: 'trade';
      readonly time: number;
      readonly price: string;
      readonly qty: string;
      readonly aggressor: 'BUY' | 'SELL';
      readonly id: string;
    };

/**
 * Runs one backtest over quote and trade ticks (from tick files or a capture). `spec.barMs` is then the
 * equity curve's period (one point per period, the latest tick's mark) and what bars the strategy asks
 * for are built by the runner from the trades, or from the quotes with `spec.barPrice` mid, bid or ask.
 */
export async function runTickBacktest(
  spec: BacktestSpec,
  ticks: AsyncIterable<TickEvent> | Iterable<TickEvent>,
  onTick?: (count: number) => void,
): Promise<BacktestResult> {
  const engine = new BacktestEngine(spec, 'ticks');
  let n = 0;
  for await (const t of ticks) {
    if (t.kind === 'quote') await engine.onQuoteTick(t.time, t.bidPrice, t.askPrice, t.bidQty, t.askQty);
    else await engine.onTradeTick(t.time, t.price, t.qty, t.aggressor, t.id);
    if (onTick !== undefined && ++n % 1000 === 0) onTick(n);
  }
  return engine.finish();
}

class BacktestEngine {
  readonly clock = new VirtualClock(0);
  private readonly model: ExecutionModel;
  private readonly venue: SimVenue;
  private readonly runner: RunnerCore;
  private readonly risk: RiskGateCore;
  private readonly oms: SubmissionDeps;
  private readonly tracker = new OrderTracker();
  private readonly ref: InstrumentRef;
  private readonly trips = new RoundTrips();
  private readonly curve: EquityPoint[] = [];
  private readonly rejections: string[] = [];
  /** Accepted order requests on their way to the venue, due at decision time + latency. */
  private readonly inFlight: ({ due: number } & PendingOrder)[] = [];
  /** Quote-sized requests that reached the venue and wait for a price to be sized at (see submit()). */
  private readonly awaitingSize: PendingOrder[] = [];
  /** While the end-of-data closeout fills: the time its round trips are stamped with. */
  private closeoutStamp: number | undefined;
  private mark: Decimal = ZERO;
  private last: Bar | undefined;
  /** The latest price: where a position open at the end is closed (a bar's close; a tick's touch). */
  private lastPrice: { bid: Decimal; ask: Decimal; mark: Decimal; volume: number } | undefined;
  /** Ticks: when the equity curve takes its next point. */
  private nextSample = -Infinity;
  private lastClose = 0;
  private count = 0;
  private events = 0;
  private intentSeq = 0;
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
    const venueSymbol = spec.symbol.replace('/', '');
    this.ref = { venue: BACKTEST_VENUE, symbol: spec.symbol, venueSymbol };
    const instrument: InstrumentSpec = spotInstrument(spec.symbol, BACKTEST_VENUE, venueSymbol, {
      tickSize: this.model.tick,
      stepSize: this.model.lot,
      minQty: this.model.lot,
      marketStepSize: this.model.lot,
    });
    this.venue = new SimVenue({
      clock: this.clock,
      model: this.model,
      venue: BACKTEST_VENUE,
      symbol: spec.symbol,
      venueSymbol,
      cash: spec.cash,
      allowShort: spec.longShort,
    });
    const venue = this.venue;
    const markOf = (): Decimal => this.mark;
    // Equity is read when the strategy sizes an order: cash plus the position at the latest close.
    const strategy: StrategyConfig = {
      id: BACKTEST_STRATEGY_ID,
      definition: this.tally.watch(spec.strategy),
      version: spec.strategy.version,
      params: spec.params,
      instruments: [this.ref],
      // The delays a backtest models (latency, a fill at the next open) are the simulated venue's, as
      // asked for, not a decision gone stale in a crash: no shelf life cuts them short (DESIGN 13).
      maxDecisionAgeMs: BACKTEST_DECISION_AGE_MS,
      get equity() {
        return venue.equity(markOf()).toString();
      },
    };
    this.runner = new RunnerCore({
      strategies: [strategy],
      clock: this.clock,
      ids: { next: () => `bt-${++this.intentSeq}` },
      // Bars may be days apart (weekends): data is never stale in a backtest, it is all there is.
      staleAfterMs: Number.MAX_SAFE_INTEGER,
      // No reconciler runs against a simulated history: the venue is this process.
      requireReconciliation: false,
      instrumentSpec: () => instrument,
      barPrice: this.barPrice,
    });
    this.runner.onTradingState(tradingStateKey({ kind: 'global' }), ACTIVE({ kind: 'global' }, 0));
    this.runner.addInstrument(this.ref);
    const state = new RiskState({ venue: BACKTEST_VENUE });
    this.risk = new RiskGateCore({
      state,
      limits: backtestLimits(),
      registry: new InstrumentRegistry(BACKTEST_VENUE, [instrument]),
      clock: this.clock,
      ids: new ClientOrderIdGenerator({ instanceTag: 'bt00', clock: () => this.clock.now() }),
    });
    this.risk.onTradingState(ACTIVE({ kind: 'global' }, 0));
    this.oms = {
      journal: new MemoryJournal(),
      venue: this.venue,
      tracker: this.tracker,
      clock: this.clock,
      tradingState: { modesFor: () => ({ global: 'ACTIVE', instrument: undefined, strategy: undefined }) },
    };
  }

  async onBar(bar: Bar, onBar?: (count: number) => void): Promise<void> {
    if (bar.time < this.lastClose) {
      throw new InvalidBacktestArgumentError(
        `bar at line ${bar.line} time`,
        new Date(bar.time).toISOString(),
        `starts before the previous bar closed (${new Date(this.lastClose).toISOString()}): the bar period is ${this.spec.barMs} ms`,
      );
    }
    if (this.last === undefined) this.clock.set(bar.time);
    this.held.bars++;
    const closeTime = bar.time + this.spec.barMs;
    // Orders that reach the venue before this bar opens wait there for the open.
    await this.deliverDue(bar.time);
    this.clock.set(bar.time);
    const open = dec(bar.open);
    const o = quoteAround(open, this.model);
    this.events++;
    // The open: market orders fill, and resting orders the open gapped through.
    this.venue.onPrice({ time: bar.time, bid: o.bid, ask: o.ask, volume: bar.volumeNum, market: true });
    await this.sizeWaiting();
    await this.applyReports();
    // The runner builds its bar from four trades sharing the bar's volume (only bar volume reads it).
    const tradeQty = bar.volumeNum > 0 ? (bar.volumeNum / 4).toFixed(8) : MIN_TRADE_QTY;
    this.feedTrade(bar, 0, bar.open, tradeQty === '0.00000000' ? MIN_TRADE_QTY : tradeQty, bar.time);

    // The rest of the bar's range, judged in its last millisecond: a resting limit or stop order that
    // the high or low reached fills there, so no fill tells the strategy where the bar went before
    // the bar is over. Then the bar's prices reach the runner as its trades, in that same last
    // millisecond, so the runner's own bar builder closes it when the clock reaches closeTime: no
    // strategy sees a bar before it closed.
    await this.deliverDue(closeTime - 1);
    this.clock.set(closeTime - 1);
    if (this.venue.workingCount > 0) {
      this.venue.onPrice({
        time: closeTime - 1,
        bid: o.bid,
        ask: o.ask,
        volume: bar.volumeNum,
        range: { open, high: dec(bar.high), low: dec(bar.low), close: dec(bar.close) },
        market: false,
        rangeFrom: bar.time,
      });
      await this.applyReports();
    }
    this.feedTrade(bar, 1, bar.high, tradeQty, closeTime - 1);
    this.feedTrade(bar, 2, bar.low, tradeQty, closeTime - 1);
    this.feedTrade(bar, 3, bar.close, tradeQty, closeTime - 1);

    await this.deliverDue(closeTime);
    this.clock.set(closeTime);
    const close = dec(bar.close);
    const c = quoteAround(close, this.model);
    this.mark = close;
    this.feedQuote(c.bid, c.ask, closeTime);
    // `--fill close`: orders reaching the venue at the close trade at it. `next-open`: nothing trades
    // at the close, so what is decided there waits for the next bar's open.
    if (this.model.config.fill === 'close') {
      this.venue.onPrice({ time: closeTime, bid: c.bid, ask: c.ask, volume: bar.volumeNum, market: true });
      await this.applyReports();
    }
    this.route(this.runner.onClock());
    await this.deliverDue(closeTime);
    await this.sizeWaiting();
    await this.applyReports();
    this.curve.push({ time: bar.time, equity: this.venue.equity(close).toNumber(), price: bar.closeNum });
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
    await this.wakeUntil(time);
    await this.deliverDue(time);
    this.clock.set(time);
    this.held.quotes++;
    const bid = dec(bidPrice);
    const ask = dec(askPrice);
    const mark = bid.plus(ask).div(TWO, 18, 'half-even');
    // Proportional slippage measures size against the size displayed at the touch (both sides' mean).
    const volume = (Number(bidQty) + Number(askQty)) / 2;
    this.mark = mark;
    this.events++;
    this.venue.onPrice({ time, bid, ask, volume, market: true });
    await this.sizeWaiting();
    await this.applyReports();
    this.feedQuote(bid, ask, time, bidQty, askQty);
    await this.afterTick(time, { bid, ask, mark, volume });
  }

  /** A trade tick: the venue fills at its price (bid = ask = price), then the runner sees the trade. */
  async onTradeTick(time: number, price: string, qty: string, aggressor: 'BUY' | 'SELL', id: string): Promise<void> {
    await this.wakeUntil(time);
    await this.deliverDue(time);
    this.clock.set(time);
    this.held.trades++;
    const p = dec(price);
    const volume = Number(qty);
    this.mark = p;
    this.events++;
    this.venue.onPrice({ time, bid: p, ask: p, volume, market: true });
    await this.sizeWaiting();
    await this.applyReports();
    const at = quoteOf(this.ref.symbol, price, price, qty, qty, time);
    this.risk.onQuote(at);
    this.feedBalances(time);
    const trade = {
      v: 1,
      venue: BACKTEST_VENUE,
      instrument: this.ref.symbol,
      venueTradeId: id,
      price,
      qty,
      aggressor,
      venueTime: time,
      receivedAt: time,
    } as Trade;
    this.route(this.runner.onTrade(trade));
    await this.afterTick(time, { bid: p, ask: p, mark: p, volume });
  }

  /**
   * Ticks: the virtual clock stops at every time the runner asked to be woken (a bar's window end, a
   * timer strategy's next run) before `time`, as the live runner's timer fires there, so a bar closes
   * and is decided on at its close time rather than at the next tick.
   */
  private async wakeUntil(time: number): Promise<void> {
    for (let at = this.runner.nextWakeAt(); at !== undefined && at < time; at = this.runner.nextWakeAt()) {
      await this.deliverDue(at);
      if (at > this.clock.now()) this.clock.set(at);
      const before = this.clock.now();
      this.route(this.runner.onClock());
      await this.deliverDue(before);
      await this.sizeWaiting();
      await this.applyReports();
      // A wake that does not move the runner's schedule forward would loop: leave it to the tick.
      const next = this.runner.nextWakeAt();
      if (next !== undefined && next <= at) break;
    }
  }

  private async afterTick(time: number, price: NonNullable<BacktestEngine['lastPrice']>): Promise<void> {
    this.route(this.runner.onClock());
    await this.deliverDue(time);
    await this.sizeWaiting();
    await this.applyReports();
    this.lastPrice = price;
    // The curve takes a point per period (spec.barMs), not per tick: statistics need a regular series.
    if (time >= this.nextSample) {
      this.curve.push({ time, equity: this.venue.equity(price.mark).toNumber(), price: price.mark.toNumber() });
      this.nextSample = time - (time % this.spec.barMs) + this.spec.barMs;
    } else {
      const lastPoint = this.curve[this.curve.length - 1]!;
      this.curve[this.curve.length - 1] = {
        ...lastPoint,
        equity: this.venue.equity(price.mark).toNumber(),
        price: price.mark.toNumber(),
      };
    }
    this.count++;
  }

  async finish(): Promise<BacktestResult> {
    const last = this.lastPrice;
    if (last === undefined) throw new InvalidBacktestArgumentError('data', 0, 'the input has no bars or ticks');
    let closeout: BacktestResult['closeout'];
    // Orders still on their way or working when the data ends never fill: no later price exists.
    for (const { request } of this.inFlight) this.remember(`order ${request.clientOrderId} not sent: the data ended`);
    for (const { request } of this.awaitingSize)
      this.remember(`order ${request.clientOrderId} not filled: the data ended`);
    this.inFlight.length = 0;
    this.awaitingSize.length = 0;
    this.venue.cancelAll('the data ended');
    await this.applyReports();
    const position = this.venue.position();
    if (!position.isZero()) {
      // Positions still open are closed at the last bar's close (through the OMS, like any order),
      // so every trade is counted; the report names the price.
      const side = position.isPositive() ? 'SELL' : 'BUY';
      this.venue.onPrice({ time: this.clock.now(), bid: last.bid, ask: last.ask, volume: last.volume, market: true });
      const request = this.closeoutRequest(side, position.abs().toString());
      // The trade ends on the last bar (backtesting.py's convention, and where the curve's last point
      // is): the virtual clock has passed its close, but the trade is stamped with the bar's own time.
      this.closeoutStamp = this.last?.time ?? this.clock.now();
      await this.submit({ request, fraction: undefined });
      await this.applyReports();
      this.closeoutStamp = undefined;
      closeout = {
        time: this.last?.time ?? this.clock.now(),
        price: this.lastFillPrice ?? last.mark.toString(),
        qty: position.abs().toString(),
        side,
        priceSource: closeoutSource(this.last !== undefined, side, last),
      };
      const lastPoint = this.curve[this.curve.length - 1]!;
      this.curve[this.curve.length - 1] = { ...lastPoint, equity: this.venue.equity(last.mark).toNumber() };
    }
    const trades = this.trips.trades;
    const stats = computeStats({ curve: this.curve, trades, feesPaid: this.venue.feesPaid.toString() });
    const starved = this.tally.starvedWarning(this.spec.strategy.name, this.held, this.input, this.barPrice);
    return {
      stats,
      trades,
      curve: this.curve,
      execution: this.model.config,
      closeout,
      rejections: this.rejections,
      events: this.events,
      dataHeld: { ...this.held },
      warnings: starved === undefined ? [] : [starved],
    };
  }

  private lastFillPrice: string | undefined;

  private closeoutRequest(side: 'BUY' | 'SELL', qty: string): OrderRequest {
    const now = this.clock.now();
    return {
      v: 1,
      clientOrderId: new ClientOrderIdGenerator({ instanceTag: 'btcl', clock: () => now }).next(
        BACKTEST_STRATEGY_ID,
        this.spec.strategy.version,
      ),
      intentId: `bt-closeout`,
      strategyId: BACKTEST_STRATEGY_ID,
      strategyVersion: this.spec.strategy.version,
      venue: BACKTEST_VENUE,
      instrument: this.ref.symbol,
      venueSymbol: this.ref.venueSymbol,
      side,
      qty,
      style: 'market',
      reduceOnly: true,
      createdAt: now,
    } as OrderRequest;
  }

  /**
   * One of the bar's prices as a trade to the runner. The open goes at the bar's open time (it is
   * known then, and the runner's safe start counts a bar only if its first trade came at or after
   * the window opened); high, low and close in the bar's last millisecond.
   */
  private feedTrade(bar: Bar, i: number, price: string, qty: string, at: number): void {
    const trade = {
      v: 1,
      venue: BACKTEST_VENUE,
      instrument: this.ref.symbol,
      venueTradeId: `${bar.line}-${i}`,
      price,
      qty,
      aggressor: 'BUY',
      venueTime: at,
      receivedAt: at,
    } as Trade;
    this.route(this.runner.onTrade(trade));
  }

  private feedQuote(bid: Decimal, ask: Decimal, at: number, bidQty = DEEP, askQty = DEEP): void {
    const quote = quoteOf(this.ref.symbol, bid.toString(), ask.toString(), bidQty, askQty, at);
    this.risk.onQuote(quote);
    this.route(this.runner.onQuote(quote));
    this.feedBalances(at);
  }

  /**
   * The venue is a 1× margin account; the risk gate is a spot gate. It is told the account's buying
   * power as its balances (quote: equity; base: equity at the mark), so a flip's opening leg is not
   * refused for cash its closing leg is about to free.
   */
  private feedBalances(at: number): void {
    if (!this.mark.isPositive()) return;
    const equity = this.venue.equity(this.mark);
    const power = Decimal.max(equity, ZERO).plus(this.venue.position().abs().times(this.mark));
    const base = power.div(this.mark, 18, 'ceil');
    const [b = '', q = ''] = this.ref.symbol.split('/');
    this.risk.onBalances({
      asOf: at,
      balances: { [q]: { free: power, locked: ZERO }, [b]: { free: base, locked: ZERO } },
    });
  }

  /** Intents from the runner → the risk gate now → accepted requests leave for the venue (latency). */
  private route(out: CoreOutput): void {
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

  private decide(intent: Intent): void {
    this.events++;
    this.spec.onIntent?.(intent);
    const evaluation = this.risk.onIntent(intent);
    this.runner.onRiskDecision(evaluation.decision);
    if (evaluation.decision.outcome === 'rejected') {
      this.remember(`intent ${intent.id} rejected: ${evaluation.decision.failures.map((f) => f.message).join('; ')}`);
      return;
    }
    if (evaluation.orderRequest !== undefined) {
      const request = evaluation.orderRequest;
      this.inFlight.push({
        due: this.clock.now() + this.model.config.latencyMs,
        request,
        fraction: request.quoteQty !== undefined ? sizeFractionOf(intent) : undefined,
      });
    }
  }

  /** Hands the venue every request due by `until`, in due order, at its due time. */
  private async deliverDue(until: number): Promise<void> {
    while (this.inFlight.length > 0 && this.inFlight[0]!.due <= until) {
      const { due, ...order } = this.inFlight.shift()!;
      if (due > this.clock.now()) this.clock.set(due);
      await this.submit(order);
      await this.applyReports();
    }
  }

  /**
   * The OMS core's OrderTracker cannot yet follow a quote-sized request (it needs a base quantity:
   * see the report), so such a request waits here until the venue has a price it may fill at, is
   * sized there by the venue's own rule (cash then available, fill price, lot) and only then goes
   * through submitOrder, filling at once. Same price, same size, one step later in the code.
   */
  private async submit(order: PendingOrder): Promise<void> {
    const { request } = order;
    if (request.qty === undefined && request.quoteQty !== undefined) {
      this.awaitingSize.push(order);
      await this.sizeWaiting();
      return;
    }
    const result = await submitOrder(request, this.oms);
    if (result.outcome.kind !== 'accepted')
      this.remember(
        `order ${request.clientOrderId} ${result.outcome.kind}: ${'reason' in result.outcome ? result.outcome.reason : ''}`,
      );
    this.publish(result.events);
  }

  private async sizeWaiting(): Promise<void> {
    if (this.awaitingSize.length === 0 || !this.venue.fillsMarketNow()) return;
    // Earlier orders (a flip's closing leg) must have filled first, so the cash they free is counted.
    await this.applyReports();
    while (this.awaitingSize.length > 0) {
      const { request, fraction } = this.awaitingSize.shift()!;
      const qty =
        fraction !== undefined
          ? this.venue.sizeFractionOrder(request.side, fraction)
          : this.venue.sizeQuoteOrder(request.side, dec(request.quoteQty!));
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
  private async applyReports(): Promise<void> {
    for (const report of this.venue.drain()) {
      const change = this.tracker.applyExecutionReport(report.update, report.fill);
      const events: ExecutionEvent[] = [...change.statusUpdates, ...change.fills.map((f) => f.event)];
      if (report.update.reason !== undefined && report.fill === undefined)
        this.remember(`order ${report.update.clientOrderId} ${report.update.status}: ${report.update.reason}`);
      for (const f of change.fills) {
        this.trips.apply({
          side: f.event.side,
          qty: dec(f.event.qty),
          price: dec(f.event.price),
          fee: dec(f.event.fee),
          time: this.closeoutStamp ?? f.event.venueTime,
        });
        this.lastFillPrice = f.event.price;
      }
      this.publish(events);
    }
  }

  private publish(events: readonly ExecutionEvent[]): void {
    for (const event of events) {
      this.risk.onExecutionEvent(event);
      this.route(this.runner.onExecution(event));
    }
  }

  private remember(line: string): void {
    if (this.rejections.length < 100) this.rejections.push(line);
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

function closeoutSource(bars: boolean, side: 'BUY' | 'SELL', last: { bid: Decimal; ask: Decimal }): string {
  if (bars)
    return last.bid.eq(last.ask)
      ? "the last bar's close"
      : `the last bar's close, at the ${side === 'BUY' ? 'ask' : 'bid'}`;
  return last.bid.eq(last.ask) ? "the last tick's price" : `the last quote's ${side === 'BUY' ? 'ask' : 'bid'}`;
}

/** The market events a strategy can ask for, by the handler that takes them. */
const MARKET_HANDLERS = ['onBar', 'onQuote', 'onTrade'] as const satisfies readonly HandlerName[];

/**
 * Counts the market events that reached the strategy's handlers, to tell a run that fed the strategy
 * nothing it asked for (bars built from trades over quote-only data) from one where it chose not to
 * trade. The instance is wrapped, not changed: the runner core drives it exactly as before.
 */
class EventTally {
  private readonly received: Record<(typeof MARKET_HANDLERS)[number], number> = { onBar: 0, onQuote: 0, onTrade: 0 };
  private asked: string[] = [];

  watch(definition: StrategyDefinition): StrategyDefinition {
    return {
      ...definition,
      instantiate: (config) => {
        const instance = definition.instantiate(config);
        this.asked = [];
        if (instance.handles('onBar') && instance.timeframes.length > 0)
          this.asked.push(`${instance.timeframes.map((t) => t.label).join(', ')} bars`);
        if (instance.handles('onQuote')) this.asked.push('quotes');
        if (instance.handles('onTrade')) this.asked.push('trades');
        return this.counting(instance);
      },
    };
  }

  /** The warning for a run whose strategy asked for market events and got none, or undefined. */
  starvedWarning(name: string, held: DataHeld, input: 'bars' | 'ticks', barPrice: BarPrice): string | undefined {
    if (this.asked.length === 0) return undefined;
    if (MARKET_HANDLERS.some((h) => this.received[h] > 0)) return undefined;
    const data = input === 'bars' ? `${held.bars} bars` : `${held.quotes} quotes and ${held.trades} trades`;
    const built =
      barPrice === 'last'
        ? 'bars are built from trades (--bar-price last)'
        : `bars are built from the quotes' ${barPrice} (--bar-price ${barPrice})`;
    const hint =
      input === 'ticks' && barPrice === 'last' && held.trades === 0 && held.quotes > 0
        ? '; to build bars from the quotes, give --bar-price mid (or bid, ask)'
        : '';
    return `strategy ${name} received none of the events it asked for (${this.asked.join('; ')}): the data held ${data}${input === 'ticks' ? `, and ${built}` : ''}${hint}`;
  }

  private counting(instance: StrategyInstance): StrategyInstance {
    const received = this.received;
    return new Proxy(instance, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = value as (...args: unknown[]) => unknown;
        if ((MARKET_HANDLERS as readonly PropertyKey[]).includes(prop)) {
          const handler = prop as (typeof MARKET_HANDLERS)[number];
          return (...args: unknown[]) => {
            if (target.handles(handler)) received[handler]++;
            return fn.apply(target, args);
          };
        }
        return fn.bind(target);
      },
    });
  }
}
