// The sim's venue core: the matching engine plus the bookkeeping Binance's wire adds on top of it.
// Every engine call runs inside `run()`, which gathers the engine's events for that call and then
// hands them on grouped as Binance groups them: one depthUpdate per call (U..u), trades with their
// aggregate trades, a bookTicker when the touch moved, and per-account user data events.

import { dec, ZERO } from '@bourse/domain';
import { MatchingEngine } from '@bourse/matching';
import type {
  BookTicker,
  EngineEvent,
  EngineSnapshot,
  ExecutionReportEvent,
  SymbolConfig,
  TradeEvent,
} from '@bourse/matching';
import { toFixed8 } from './binance-numbers.js';
import type { SymbolSpec } from './exchange-info.js';
import type { Clock } from './types.js';

export const DEFAULT_FEE_RATE = '0.001';
export const FEE_ACCOUNT = 'sim-fees';

export interface DepthDiff {
  readonly kind: 'depth';
  readonly symbol: string;
  readonly eventTime: number;
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  /** price → quantity ("0" = removed), last change wins. */
  readonly bids: ReadonlyMap<string, string>;
  readonly asks: ReadonlyMap<string, string>;
}

export interface TradePrint {
  readonly kind: 'trade';
  readonly trade: TradeEvent;
}

export interface AggTradePrint {
  readonly kind: 'aggTrade';
  readonly symbol: string;
  readonly eventTime: number;
  readonly aggId: number;
  readonly price: string;
  readonly qty: string;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly tradeTime: number;
  readonly isBuyerMaker: boolean;
}

export interface BookTickerPrint {
  readonly kind: 'bookTicker';
  readonly updateId: number;
  readonly ticker: BookTicker;
}

export type MarketEvent = DepthDiff | TradePrint | AggTradePrint | BookTickerPrint;

/** Binance-shaped user data payloads (`executionReport`, `outboundAccountPosition`, ...). */
export type AccountEvent = Readonly<Record<string, unknown>>;

export type MarketListener = (event: MarketEvent) => void;
export type AccountListener = (account: string, event: AccountEvent) => void;

export interface VenueSnapshot {
  readonly engine: EngineSnapshot;
  readonly aggTradeIds: Record<string, number>;
}

export function engineSymbolConfig(spec: SymbolSpec): SymbolConfig {
  return {
    symbol: spec.symbol,
    baseAsset: spec.baseAsset,
    quoteAsset: spec.quoteAsset,
    tickSize: spec.tickSize,
    stepSize: spec.stepSize,
    minQty: spec.minQty,
    maxQty: spec.maxQty,
    minNotional: '0', // the sim checks NOTIONAL itself, with Binance's market-order rules
    makerFeeRate: DEFAULT_FEE_RATE,
    takerFeeRate: DEFAULT_FEE_RATE,
  };
}

export class SimVenue {
  readonly engine: MatchingEngine;
  private pending: EngineEvent[] = [];
  private nesting = 0;
  private readonly marketListeners = new Set<MarketListener>();
  private readonly accountListeners = new Set<AccountListener>();
  private readonly aggTradeIds = new Map<string, number>();
  private readonly lastTicker = new Map<string, string>();
  private readonly lastUpdateIds = new Map<string, number>();
  private eventCounter = 0;

  constructor(
    readonly specs: readonly SymbolSpec[],
    readonly clock: Clock,
    restoreFrom?: VenueSnapshot,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    const options = {
      clock,
      feeAccountId: FEE_ACCOUNT,
      onEvent: (e: EngineEvent) => this.pending.push(e),
      // A user's history is kept (retention.ts prunes what no user can query); these caps only
      // guard against a runaway client.
      maxClosedOrdersPerSymbol: 1_000_000,
      maxAccountTradesPerSymbol: 1_000_000,
    };
    if (restoreFrom) {
      this.engine = MatchingEngine.restore(restoreFrom.engine, options);
      for (const [s, id] of Object.entries(restoreFrom.aggTradeIds)) this.aggTradeIds.set(s, id);
      for (const spec of specs) {
        if (!this.engine.listSymbols().some((c) => c.symbol === spec.symbol))
          this.engine.addSymbol(engineSymbolConfig(spec));
      }
    } else {
      this.engine = new MatchingEngine(options);
      for (const spec of specs) this.engine.addSymbol(engineSymbolConfig(spec));
    }
    this.pending = [];
    for (const spec of specs) {
      this.lastUpdateIds.set(spec.symbol, this.engine.depth(spec.symbol, 1).lastUpdateId);
    }
  }

  spec(symbol: string): SymbolSpec | undefined {
    return this.specs.find((s) => s.symbol === symbol);
  }

  onMarket(listener: MarketListener): () => void {
    this.marketListeners.add(listener);
    return () => this.marketListeners.delete(listener);
  }

  onAccount(listener: AccountListener): () => void {
    this.accountListeners.add(listener);
    return () => this.accountListeners.delete(listener);
  }

  /** Runs engine calls and publishes what they changed once the outermost call returns. */
  run<T>(fn: (engine: MatchingEngine) => T): T {
    this.nesting += 1;
    try {
      return fn(this.engine);
    } finally {
      this.nesting -= 1;
      if (this.nesting === 0) this.flush();
    }
  }

  /** The update id of the last book change the streams have published for `symbol`. */
  lastUpdateId(symbol: string): number {
    return this.lastUpdateIds.get(symbol) ?? 0;
  }

  snapshot(): VenueSnapshot {
    return { engine: this.engine.snapshot(), aggTradeIds: Object.fromEntries(this.aggTradeIds) };
  }

  /**
   * Credits an account and tells its user data streams with a `balanceUpdate`, as a deposit does on
   * Binance. `notify: false` credits it silently: a balance change whose event the client never got.
   */
  deposit(account: string, asset: string, amount: string, options: { notify?: boolean } = {}): void {
    const now = this.clock.now();
    this.run((e) => e.deposit(account, asset, amount));
    if (options.notify === false) return;
    this.emitAccount(account, { e: 'balanceUpdate', E: now, a: asset, d: toFixed8(amount), T: now });
  }

  private flush(): void {
    const events = this.pending;
    this.pending = [];
    if (events.length === 0) return;
    this.publishTrades(events.filter((e): e is TradeEvent => e.type === 'trade'));
    this.publishDepth(events);
    this.publishAccountEvents(events);
  }

  private publishTrades(trades: TradeEvent[]): void {
    let group: TradeEvent[] = [];
    const close = (): void => {
      const first = group[0];
      const last = group[group.length - 1];
      if (!first || !last) return;
      const aggId = (this.aggTradeIds.get(first.symbol) ?? 0) + 1;
      this.aggTradeIds.set(first.symbol, aggId);
      const qtyText = group.reduce((sum, t) => sum.plus(dec(t.qty)), ZERO).toString();
      this.emitMarket({
        kind: 'aggTrade',
        symbol: first.symbol,
        eventTime: last.eventTime,
        aggId,
        price: first.price,
        qty: qtyText,
        firstTradeId: first.tradeId,
        lastTradeId: last.tradeId,
        tradeTime: first.tradeTime,
        isBuyerMaker: first.isBuyerMaker,
      });
      group = [];
    };
    for (const t of trades) {
      this.emitMarket({ kind: 'trade', trade: t });
      const prev = group[group.length - 1];
      const takerOf = (x: TradeEvent): number => (x.isBuyerMaker ? x.sellerOrderId : x.buyerOrderId);
      if (prev && (prev.symbol !== t.symbol || prev.price !== t.price || takerOf(prev) !== takerOf(t))) close();
      group.push(t);
    }
    close();
  }

  private publishDepth(events: EngineEvent[]): void {
    const bySymbol = new Map<
      string,
      { first: number; last: number; time: number; bids: Map<string, string>; asks: Map<string, string> }
    >();
    for (const e of events) {
      if (e.type !== 'bookLevel') continue;
      let d = bySymbol.get(e.symbol);
      if (!d) {
        d = { first: e.updateId, last: e.updateId, time: e.eventTime, bids: new Map(), asks: new Map() };
        bySymbol.set(e.symbol, d);
      }
      d.first = Math.min(d.first, e.updateId);
      d.last = Math.max(d.last, e.updateId);
      d.time = e.eventTime;
      (e.side === 'BID' ? d.bids : d.asks).set(e.price, e.qty);
    }
    for (const [symbol, d] of bySymbol) {
      this.lastUpdateIds.set(symbol, d.last);
      this.emitMarket({
        kind: 'depth',
        symbol,
        eventTime: d.time,
        firstUpdateId: d.first,
        finalUpdateId: d.last,
        bids: d.bids,
        asks: d.asks,
      });
      const ticker = this.engine.bookTicker(symbol);
      const key = `${ticker.bidPrice}|${ticker.bidQty}|${ticker.askPrice}|${ticker.askQty}`;
      if (this.lastTicker.get(symbol) !== key) {
        this.lastTicker.set(symbol, key);
        this.emitMarket({ kind: 'bookTicker', updateId: d.last, ticker });
      }
    }
  }

  private publishAccountEvents(events: EngineEvent[]): void {
    const positions = new Map<string, { time: number; assets: Map<string, { f: string; l: string }> }>();
    for (const e of events) {
      if (e.type === 'executionReport') {
        this.emitAccount(e.accountId, executionReportPayload(e, ++this.eventCounter));
      } else if (e.type === 'listStatus') {
        const l = e.orderList;
        this.emitAccount(l.accountId, {
          e: 'listStatus',
          E: e.eventTime,
          s: l.symbol,
          g: l.orderListId,
          c: l.contingencyType,
          l: l.listStatusType,
          L: l.listOrderStatus,
          r: 'NONE',
          C: l.listClientOrderId,
          T: l.transactionTime,
          O: l.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
        });
      } else if (e.type === 'balance') {
        let p = positions.get(e.accountId);
        if (!p) {
          p = { time: e.eventTime, assets: new Map() };
          positions.set(e.accountId, p);
        }
        p.time = e.eventTime;
        p.assets.set(e.asset, { f: e.free, l: e.locked });
      }
    }
    for (const [account, p] of positions) {
      this.emitAccount(account, {
        e: 'outboundAccountPosition',
        E: p.time,
        u: p.time,
        B: [...p.assets].map(([a, v]) => ({ a, f: fixed8(v.f), l: fixed8(v.l) })),
      });
    }
  }

  // A listener's failure (a stream consumer) must not turn an accepted order into an error reply,
  // nor stop the other listeners: it is logged and delivery goes on.
  private emitMarket(event: MarketEvent): void {
    for (const l of this.marketListeners) {
      try {
        l(event);
      } catch (err) {
        this.log(`market listener failed on ${event.kind}: ${String(err)}`);
      }
    }
  }

  emitAccount(account: string, event: AccountEvent): void {
    for (const l of this.accountListeners) {
      try {
        l(account, event);
      } catch (err) {
        this.log(`account listener failed for ${account}: ${String(err)}`);
      }
    }
  }
}

function fixed8(s: string): string {
  return toFixed8(s);
}

const STOP_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

/**
 * Binance's `w` ("is the order on the book?"). The engine reports NEW before the order starts
 * working, so a NEW report of a non-stop order counts as on the book, as Binance shows it.
 */
function isOnBook(e: ExecutionReportEvent): boolean {
  const o = e.order;
  if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') return false;
  return o.isWorking || (e.execType === 'NEW' && !STOP_TYPES.has(o.type));
}

/** Binance's executionReport payload for one engine report. */
export function executionReportPayload(e: ExecutionReportEvent, seq: number): AccountEvent {
  const o = e.order;
  const canceled = e.execType === 'CANCELED';
  const payload: Record<string, unknown> = {
    e: 'executionReport',
    E: e.eventTime,
    s: o.symbol,
    c: canceled && e.cancelClientOrderId !== undefined ? e.cancelClientOrderId : o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce,
    q: fixed8(o.origQty),
    p: fixed8(o.price),
    P: fixed8(o.stopPrice),
    F: fixed8(o.icebergQty),
    g: o.orderListId,
    C: canceled ? o.clientOrderId : '',
    x: e.execType,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: fixed8(e.lastExecutedQty),
    z: fixed8(o.executedQty),
    L: fixed8(e.lastExecutedPrice),
    n: fixed8(e.commission),
    N: e.commissionAsset,
    T: e.transactionTime,
    t: e.tradeId,
    I: seq,
    w: isOnBook(e),
    m: e.isMaker,
    M: e.execType === 'TRADE',
    O: o.time,
    Z: fixed8(o.cummulativeQuoteQty),
    Y: fixed8(e.lastQuoteQty),
    Q: fixed8(o.origQuoteOrderQty),
    W: o.workingTime,
    V: o.selfTradePreventionMode,
  };
  if (e.expiryReason !== undefined) payload.eR = e.expiryReason;
  if (o.trailingDelta !== undefined) {
    payload.d = o.trailingDelta;
    payload.D = o.trailingTime ?? -1;
  }
  if (o.preventedMatchId !== undefined) {
    payload.v = o.preventedMatchId;
  }
  return payload;
}
