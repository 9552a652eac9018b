import { tradingStateKey, type Intent, type Quote, type Trade } from '@bourse/contracts';
import { ClientOrderIdGenerator, Decimal, InstrumentRegistry, ZERO, dec, type InstrumentSpec } from '@bourse/domain';
import { OrderTracker } from '@bourse/execution';
import { RiskGateCore, RiskState } from '@bourse/risk';
import { RunnerCore, type InstrumentRef, type StrategyConfig, type StrategyDefinition } from '@bourse/strategy';
import type { Bar } from '../data/bars.js';
import { executionModel, type ExecutionConfig, type ExecutionModel } from '../engine/execution.js';
import { quoteAround } from '../engine/pricing.js';
import { SimVenue } from '../engine/sim-venue.js';
import { SimVenues } from '../engine/sim-venues.js';
import { VirtualClock } from '../engine/virtual-clock.js';
import { InvalidBacktestArgumentError } from '../errors.js';
import { computeStats } from '../stats/compute-stats.js';
import type { ClosedTrade, EquityPoint, Stats } from '../types.js';
import { closeoutRequest } from './closeout.js';
import { ACTIVE, BACKTEST_DECISION_AGE_MS, backtestInstrument, backtestLimits, type Cores } from './cores.js';
import { MemoryJournal } from './memory-journal.js';
import { OrderPath } from './order-path.js';
import { BACKTEST_STRATEGY_ID, BACKTEST_VENUE } from './spec.js';

// A backtest of a strategy that trades its instruments as one unit (issue 21 § 4): the same runner,
// risk-gate and OMS cores as a one-instrument run, with one simulated venue per instrument (each a 1×
// margin account holding an equal share of the cash) behind one venue port, and the instruments' bars
// lined up by time: at each bar time every instrument's open, then their ranges and closes, then the
// runner decides on all of them at once (its unit instance sees the legs' bars in onBars).

export interface UnitBacktestSpec {
  /** A definition that declares a unit (`unit` in defineStrategy). */
  readonly strategy: StrategyDefinition;
  readonly params: Record<string, unknown>;
  /** The unit's instruments (`BASE/QUOTE`, one quote asset for all), in the order the strategy takes them. */
  readonly symbols: readonly string[];
  /** Starting cash in the quote asset, shared equally between the instruments' accounts. */
  readonly cash: string;
  readonly execution: Partial<ExecutionConfig>;
  readonly longShort: boolean;
  readonly barMs: number;
  readonly codeHash?: string;
  readonly onIntent?: (intent: Intent) => void;
}

/** One instrument's part of a unit backtest. */
export interface UnitLegResult {
  readonly symbol: string;
  readonly trades: ClosedTrade[];
  /** Fills of the strategy's own orders (the end-of-data closeout not counted). */
  readonly fills: number;
  readonly bars: number;
  /** The quantity closed at the last close when the data ended, if a position was open. */
  readonly closedOutQty: string | undefined;
}

export interface UnitBacktestResult {
  /** Over the unit's total equity and every leg's round trips. */
  readonly stats: Stats;
  readonly curve: EquityPoint[];
  readonly legs: UnitLegResult[];
  readonly execution: ExecutionConfig;
  readonly rejections: string[];
}

/** Runs a unit strategy over each instrument's bars (each in time order), lined up by bar time. */
export async function runUnitBacktest(
  spec: UnitBacktestSpec,
  bars: Readonly<Record<string, readonly Bar[]>>,
): Promise<UnitBacktestResult> {
  const engine = new UnitBacktestEngine(spec);
  const times = new Map<number, Map<string, Bar>>();
  for (const symbol of spec.symbols) {
    const list = bars[symbol];
    if (list === undefined || list.length === 0) {
      throw new InvalidBacktestArgumentError(
        'data',
        symbol,
        'has no bars: a unit backtest needs bars of every instrument',
      );
    }
    for (const bar of list) {
      const at = times.get(bar.time) ?? new Map<string, Bar>();
      at.set(symbol, bar);
      times.set(bar.time, at);
    }
  }
  for (const time of [...times.keys()].sort((a, b) => a - b)) await engine.step(time, times.get(time)!);
  return engine.finish();
}

interface Leg {
  readonly ref: InstrumentRef;
  readonly instrument: InstrumentSpec;
  readonly venue: SimVenue;
  mark: Decimal;
  bars: number;
  fills: number;
  closedOutQty: string | undefined;
}

class UnitBacktestEngine {
  private readonly clock = new VirtualClock(0);
  private readonly model: ExecutionModel;
  private readonly legs: Leg[];
  private readonly venues: SimVenues;
  private readonly cores: Cores;
  private readonly orders: OrderPath;
  private readonly curve: EquityPoint[] = [];
  private readonly quoteAsset: string;
  private lastTime: number | undefined;
  private tradeSeq = 0;

  constructor(private readonly spec: UnitBacktestSpec) {
    if (spec.strategy.unit === undefined) {
      throw new InvalidBacktestArgumentError('strategy', spec.strategy.name, 'does not declare a unit of instruments');
    }
    this.model = executionModel(spec.execution);
    const quotes = new Set(spec.symbols.map((s) => s.split('/')[1]));
    if (quotes.size !== 1) {
      throw new InvalidBacktestArgumentError('symbols', spec.symbols.join(', '), 'must share one quote asset');
    }
    this.quoteAsset = [...quotes][0]!;
    const share = dec(spec.cash)
      .div(dec(String(spec.symbols.length)), 8, 'down')
      .toString();
    this.legs = spec.symbols.map((symbol) => {
      const { ref, instrument } = backtestInstrument(symbol, this.model);
      const venue = new SimVenue({
        clock: this.clock,
        model: this.model,
        venue: BACKTEST_VENUE,
        symbol,
        venueSymbol: ref.venueSymbol,
        cash: share,
        allowShort: spec.longShort,
      });
      return { ref, instrument, venue, mark: ZERO, bars: 0, fills: 0, closedOutQty: undefined };
    });
    this.venues = new SimVenues(new Map(this.legs.map((l) => [l.ref.symbol, l.venue])));
    this.cores = this.wire();
    this.orders = new OrderPath({
      clock: this.clock,
      venue: this.venues,
      cores: this.cores,
      latencyMs: this.model.config.latencyMs,
      onIntent: (intent) => this.spec.onIntent?.(intent),
    });
  }

  private wire(): Cores {
    const { spec, clock, legs } = this;
    let intentSeq = 0;
    const equity = (): string => this.equity().toString();
    const strategy: StrategyConfig = {
      id: BACKTEST_STRATEGY_ID,
      definition: spec.strategy,
      version: spec.strategy.version,
      ...(spec.codeHash !== undefined ? { codeHash: spec.codeHash } : {}),
      params: spec.params,
      instruments: legs.map((l) => l.ref),
      maxDecisionAgeMs: BACKTEST_DECISION_AGE_MS,
      get equity() {
        return equity();
      },
    };
    const specs = new Map(legs.map((l) => [l.ref.symbol, l.instrument]));
    const runner = new RunnerCore({
      strategies: [strategy],
      clock,
      ids: { next: () => `bt-${++intentSeq}` },
      staleAfterMs: Number.MAX_SAFE_INTEGER,
      requireReconciliation: false,
      instrumentSpec: (_venue, symbol) => specs.get(symbol),
    });
    runner.onTradingState(tradingStateKey({ kind: 'global' }), ACTIVE({ kind: 'global' }, 0));
    runner.addUnit(BACKTEST_STRATEGY_ID);
    const risk = new RiskGateCore({
      state: new RiskState({ venue: BACKTEST_VENUE }),
      limits: backtestLimits(),
      registry: new InstrumentRegistry(
        BACKTEST_VENUE,
        legs.map((l) => l.instrument),
      ),
      clock,
      ids: new ClientOrderIdGenerator({ instanceTag: 'bt00', clock: () => clock.now() }),
    });
    risk.onTradingState(ACTIVE({ kind: 'global' }, 0));
    const tracker = new OrderTracker();
    return {
      runner,
      risk,
      tracker,
      oms: {
        journal: new MemoryJournal(),
        venue: this.venues,
        tracker,
        clock,
        tradingState: { modesFor: () => ({ global: 'ACTIVE', instrument: undefined, strategy: undefined }) },
      },
      ref: legs[0]!.ref,
    };
  }

  /** The unit's equity: every account's cash plus its position at its instrument's latest close. */
  private equity(): Decimal {
    return this.legs.reduce((sum, l) => sum.plus(l.mark.isPositive() ? l.venue.equity(l.mark) : l.venue.cash()), ZERO);
  }

  /** One bar time: the bars of the instruments that have one then. */
  async step(time: number, bars: ReadonlyMap<string, Bar>): Promise<void> {
    const { orders, clock, spec } = this;
    const legs = this.legs.filter((l) => bars.has(l.ref.symbol));
    const closeTime = time + spec.barMs;
    if (this.lastTime === undefined) clock.set(time);
    if (orders.hasDue(time)) await orders.deliverDue(time);
    clock.set(time);
    // Every instrument's open: market orders waiting there fill, then the runner sees the open trade.
    for (const leg of legs) {
      const bar = bars.get(leg.ref.symbol)!;
      leg.bars++;
      const o = quoteAround(dec(bar.open), this.model);
      leg.venue.onPrice({ time, bid: o.bid, ask: o.ask, volume: bar.volumeNum, market: true });
      await this.settle();
      this.trade(leg, bar.open, bar, time);
    }
    if (orders.hasDue(closeTime - 1)) await orders.deliverDue(closeTime - 1);
    clock.set(closeTime - 1);
    for (const leg of legs) {
      const bar = bars.get(leg.ref.symbol)!;
      if (leg.venue.workingCount > 0) {
        const o = quoteAround(dec(bar.open), this.model);
        leg.venue.onPrice({
          time: closeTime - 1,
          bid: o.bid,
          ask: o.ask,
          volume: bar.volumeNum,
          range: { open: dec(bar.open), high: dec(bar.high), low: dec(bar.low), close: dec(bar.close) },
          market: false,
          rangeFrom: time,
        });
        await this.settle();
      }
      this.trade(leg, bar.high, bar, closeTime - 1);
      this.trade(leg, bar.low, bar, closeTime - 1);
      this.trade(leg, bar.close, bar, closeTime - 1);
    }
    if (orders.hasDue(closeTime)) await orders.deliverDue(closeTime);
    clock.set(closeTime);
    for (const leg of legs) {
      const bar = bars.get(leg.ref.symbol)!;
      leg.mark = dec(bar.close);
      const c = quoteAround(leg.mark, this.model);
      this.quote(leg, c.bid, c.ask, closeTime);
      if (this.model.config.fill === 'close') {
        leg.venue.onPrice({ time: closeTime, bid: c.bid, ask: c.ask, volume: bar.volumeNum, market: true });
        await this.settle();
      }
    }
    // The runner's bar builders close every instrument's bar here; the unit decides on all of them.
    orders.route(this.cores.runner.onClock());
    if (orders.hasDue(closeTime)) await orders.deliverDue(closeTime);
    await this.settle();
    this.curve.push({ time, equity: this.equity().toNumber(), price: legs[0]!.mark.toNumber() });
    this.lastTime = time;
  }

  private async settle(): Promise<void> {
    if (this.orders.hasReports()) await this.orders.applyReports();
  }

  private trade(leg: Leg, price: string, bar: Bar, at: number): void {
    const trade = {
      v: 1,
      venue: BACKTEST_VENUE,
      instrument: leg.ref.symbol,
      venueTradeId: `${leg.ref.venueSymbol}-${bar.line}-${++this.tradeSeq}`,
      price,
      qty: bar.volumeNum > 0 ? (bar.volumeNum / 4).toFixed(8) : '0.00000001',
      aggressor: 'BUY',
      venueTime: at,
      receivedAt: at,
    } as Trade;
    this.orders.route(this.cores.runner.onTrade(trade));
  }

  private quote(leg: Leg, bid: Decimal, ask: Decimal, at: number): void {
    const quote = {
      v: 1,
      venue: BACKTEST_VENUE,
      instrument: leg.ref.symbol,
      bidPrice: bid.toString(),
      bidQty: '1000000000',
      askPrice: ask.toString(),
      askQty: '1000000000',
      receivedAt: at,
    } as Quote;
    this.cores.risk.onQuote(quote);
    this.orders.route(this.cores.runner.onQuote(quote));
    this.balances(at);
  }

  /**
   * The accounts' buying power as the risk gate's balances: the quote asset, all accounts' power
   * together; each base asset, its account's power at its mark (as the one-instrument run does).
   */
  private balances(at: number): void {
    const balances: Record<string, { free: Decimal; locked: Decimal }> = {};
    let total = ZERO;
    for (const leg of this.legs) {
      if (!leg.mark.isPositive()) continue;
      const power = Decimal.max(leg.venue.equity(leg.mark), ZERO).plus(leg.venue.position().abs().times(leg.mark));
      total = total.plus(power);
      balances[leg.ref.symbol.split('/')[0]!] = { free: power.div(leg.mark, 18, 'ceil'), locked: ZERO };
    }
    balances[this.quoteAsset] = { free: total, locked: ZERO };
    this.cores.risk.onBalances({ asOf: at, balances });
  }

  async finish(): Promise<UnitBacktestResult> {
    const { orders, clock } = this;
    orders.abandonPending();
    for (const leg of this.legs) leg.venue.cancelAll('the data ended');
    await orders.applyReports();
    for (const leg of this.legs) leg.fills = orders.tripsOf(leg.ref.symbol).fillCount;
    // Positions still open are closed at their instrument's last close, through the OMS, one leg per
    // millisecond (each closeout order has its own client order id).
    for (const leg of this.legs) {
      const position = leg.venue.position();
      if (position.isZero() || !leg.mark.isPositive()) continue;
      clock.set(clock.now() + 1);
      const side = position.isPositive() ? 'SELL' : 'BUY';
      const c = quoteAround(leg.mark, this.model);
      leg.venue.onPrice({ time: clock.now(), bid: c.bid, ask: c.ask, volume: 1e12, market: true });
      const qty = position.abs().toString();
      await orders.closeOut(
        closeoutRequest(side, qty, clock.now(), this.spec.strategy.version, leg.ref),
        this.lastTime ?? clock.now(),
      );
      leg.closedOutQty = qty;
    }
    const last = this.curve.at(-1);
    if (last !== undefined) this.curve[this.curve.length - 1] = { ...last, equity: this.equity().toNumber() };
    const legs: UnitLegResult[] = this.legs.map((l) => ({
      symbol: l.ref.symbol,
      trades: orders.tripsOf(l.ref.symbol).trades,
      fills: l.fills,
      bars: l.bars,
      closedOutQty: l.closedOutQty,
    }));
    const trades = legs.flatMap((l) => l.trades).sort((a, b) => a.exitTime - b.exitTime);
    const fees = this.legs.reduce((sum, l) => sum.plus(l.venue.feesPaid), ZERO);
    return {
      stats: computeStats({ curve: this.curve, trades, feesPaid: fees.toString() }),
      curve: this.curve,
      legs,
      execution: this.model.config,
      rejections: orders.rejections,
    };
  }
}
