// Market streams: turns the venue's events into Binance stream payloads and hands them to the
// connections subscribed to each stream name. Diff-depth streams batch every book change of their
// interval into one depthUpdate whose U..u continue exactly from the previous one, so a client
// joining them to a REST snapshot rebuilds the venue's book.

import { dec, ZERO, type Decimal } from '@bourse/domain';
import { toFixed8 } from '../binance-numbers.js';
import type { Clock } from '../types.js';
import type { DepthDiff, MarketEvent, SimVenue } from '../venue.js';
import { parseStreamName } from './stream-names.js';

export interface StreamSink {
  deliver(stream: string, payload: unknown): void;
}

interface DepthBuffer {
  first: number;
  last: number;
  time: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

interface Kline {
  start: number;
  intervalMs: number;
  interval: string;
  firstTradeId: number;
  lastTradeId: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  quoteVolume: Decimal;
  takerBuyVolume: Decimal;
  takerBuyQuoteVolume: Decimal;
  trades: number;
  dirty: boolean;
}

export interface HubIntervals {
  readonly fast: number;
  readonly slow: number;
}

export class MarketHub {
  private readonly subs = new Map<string, Set<StreamSink>>();
  private readonly depthBuffers = { fast: new Map<string, DepthBuffer>(), slow: new Map<string, DepthBuffer>() };
  private readonly klines = new Map<string, Kline>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribeVenue: () => void;

  constructor(
    private readonly venue: SimVenue,
    private readonly clock: Clock,
    intervals: HubIntervals,
  ) {
    this.unsubscribeVenue = venue.onMarket((e) => this.onMarket(e));
    this.timers.push(setInterval(() => this.tick(true), intervals.fast));
    this.timers.push(setInterval(() => this.tick(false), intervals.slow));
    for (const t of this.timers) t.unref();
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribeVenue();
    this.subs.clear();
  }

  subscribe(stream: string, sink: StreamSink): void {
    let set = this.subs.get(stream);
    if (!set) {
      set = new Set();
      this.subs.set(stream, set);
    }
    set.add(sink);
  }

  unsubscribe(stream: string, sink: StreamSink): void {
    const set = this.subs.get(stream);
    if (!set) return;
    set.delete(sink);
    if (set.size === 0) this.subs.delete(stream);
  }

  removeSink(sink: StreamSink): void {
    for (const stream of [...this.subs.keys()]) this.unsubscribe(stream, sink);
  }

  private publish(stream: string, payload: unknown): void {
    const set = this.subs.get(stream);
    if (!set) return;
    for (const sink of set) sink.deliver(stream, payload);
  }

  private onMarket(e: MarketEvent): void {
    switch (e.kind) {
      case 'trade': {
        const t = e.trade;
        const lower = t.symbol.toLowerCase();
        this.publish(`${lower}@trade`, {
          e: 'trade',
          E: t.eventTime,
          s: t.symbol,
          t: t.tradeId,
          p: toFixed8(t.price),
          q: toFixed8(t.qty),
          T: t.tradeTime,
          m: t.isBuyerMaker,
          M: true,
        });
        this.updateKlines(t.symbol, t.tradeId, t.price, t.qty, t.tradeTime, !t.isBuyerMaker);
        return;
      }
      case 'aggTrade':
        this.publish(`${e.symbol.toLowerCase()}@aggTrade`, {
          e: 'aggTrade',
          E: e.eventTime,
          s: e.symbol,
          a: e.aggId,
          p: toFixed8(e.price),
          q: toFixed8(e.qty),
          f: e.firstTradeId,
          l: e.lastTradeId,
          T: e.tradeTime,
          m: e.isBuyerMaker,
          M: true,
        });
        return;
      case 'bookTicker': {
        const t = e.ticker;
        this.publish(`${t.symbol.toLowerCase()}@bookTicker`, {
          u: e.updateId,
          s: t.symbol,
          b: toFixed8(t.bidPrice),
          B: toFixed8(t.bidQty),
          a: toFixed8(t.askPrice),
          A: toFixed8(t.askQty),
        });
        return;
      }
      case 'depth':
        this.buffer(this.depthBuffers.fast, e);
        this.buffer(this.depthBuffers.slow, e);
        return;
    }
  }

  private buffer(buffers: Map<string, DepthBuffer>, e: DepthDiff): void {
    const b = buffers.get(e.symbol);
    if (!b) {
      buffers.set(e.symbol, {
        first: e.firstUpdateId,
        last: e.finalUpdateId,
        time: e.eventTime,
        bids: new Map(e.bids),
        asks: new Map(e.asks),
      });
      return;
    }
    b.last = e.finalUpdateId;
    b.time = e.eventTime;
    for (const [p, q] of e.bids) b.bids.set(p, q);
    for (const [p, q] of e.asks) b.asks.set(p, q);
  }

  private tick(fast: boolean): void {
    const buffers = fast ? this.depthBuffers.fast : this.depthBuffers.slow;
    const suffix = fast ? '@depth@100ms' : '@depth';
    for (const [symbol, b] of buffers) {
      const lower = symbol.toLowerCase();
      const payload = {
        e: 'depthUpdate',
        E: this.clock.now(),
        s: symbol,
        U: b.first,
        u: b.last,
        b: [...b.bids].map(([p, q]) => [toFixed8(p), toFixed8(q)]),
        a: [...b.asks].map(([p, q]) => [toFixed8(p), toFixed8(q)]),
      };
      this.publish(`${lower}${suffix}`, payload);
      if (!fast) this.publish(`${lower}@depth@1000ms`, payload);
    }
    buffers.clear();
    for (const stream of this.subs.keys()) {
      const kind = parseStreamName(stream);
      if (kind.kind === 'partialDepth' && kind.fast === fast) {
        const view = this.venue.run((e) => e.depth(kind.symbol, kind.levels));
        this.publish(stream, {
          lastUpdateId: view.lastUpdateId,
          bids: view.bids.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
          asks: view.asks.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
        });
      }
    }
    if (!fast) this.flushKlines();
  }

  private updateKlines(
    symbol: string,
    tradeId: number,
    priceText: string,
    qtyText: string,
    time: number,
    takerIsBuyer: boolean,
  ): void {
    const price = dec(priceText);
    const qty = dec(qtyText);
    const quote = price.times(qty);
    for (const stream of this.subs.keys()) {
      const kind = parseStreamName(stream);
      if (kind.kind !== 'kline' || kind.symbol !== symbol) continue;
      const start = time - (time % kind.intervalMs);
      let k = this.klines.get(stream);
      if (k && k.start !== start) {
        this.publishKline(stream, symbol, k, true);
        k = undefined;
      }
      if (!k) {
        k = {
          start,
          intervalMs: kind.intervalMs,
          interval: kind.interval,
          firstTradeId: tradeId,
          lastTradeId: tradeId,
          open: price,
          high: price,
          low: price,
          close: price,
          volume: ZERO,
          quoteVolume: ZERO,
          takerBuyVolume: ZERO,
          takerBuyQuoteVolume: ZERO,
          trades: 0,
          dirty: true,
        };
        this.klines.set(stream, k);
      }
      k.lastTradeId = tradeId;
      if (price.gt(k.high)) k.high = price;
      if (price.lt(k.low)) k.low = price;
      k.close = price;
      k.volume = k.volume.plus(qty);
      k.quoteVolume = k.quoteVolume.plus(quote);
      if (takerIsBuyer) {
        k.takerBuyVolume = k.takerBuyVolume.plus(qty);
        k.takerBuyQuoteVolume = k.takerBuyQuoteVolume.plus(quote);
      }
      k.trades += 1;
      k.dirty = true;
    }
  }

  private flushKlines(): void {
    const now = this.clock.now();
    for (const [stream, k] of this.klines) {
      const symbol = stream.slice(0, stream.indexOf('@')).toUpperCase();
      if (now >= k.start + k.intervalMs) {
        this.publishKline(stream, symbol, k, true);
        this.klines.delete(stream);
      } else if (k.dirty) {
        this.publishKline(stream, symbol, k, false);
      }
    }
  }

  private publishKline(stream: string, symbol: string, k: Kline, closed: boolean): void {
    k.dirty = false;
    this.publish(stream, {
      e: 'kline',
      E: this.clock.now(),
      s: symbol,
      k: {
        t: k.start,
        T: k.start + k.intervalMs - 1,
        s: symbol,
        i: k.interval,
        f: k.firstTradeId,
        L: k.lastTradeId,
        o: toFixed8(k.open),
        c: toFixed8(k.close),
        h: toFixed8(k.high),
        l: toFixed8(k.low),
        v: toFixed8(k.volume),
        n: k.trades,
        x: closed,
        q: toFixed8(k.quoteVolume),
        V: toFixed8(k.takerBuyVolume),
        Q: toFixed8(k.takerBuyQuoteVolume),
        B: '0',
      },
    });
  }
}
