// Candles for GET /api/v3/klines, built from the tape as trades print. One-minute candles are kept
// (a bounded day per symbol) and wider intervals are rolled up from them on request.

import { add, cmp, dec, mul, toFixed8, ZERO, type Dec } from './decimal.js';
import type { MarketEvent } from './venue.js';

const MINUTE_MS = 60_000;
/** One day of one-minute candles per symbol (bounded memory). */
const MAX_CANDLES = 1440;

interface Candle {
  openTime: number;
  open: Dec;
  high: Dec;
  low: Dec;
  close: Dec;
  volume: Dec;
  quoteVolume: Dec;
  trades: number;
  takerBuyVolume: Dec;
  takerBuyQuoteVolume: Dec;
}

export interface KlineQuery {
  readonly symbol: string;
  readonly intervalMs: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

export class KlineHistory {
  private readonly candles = new Map<string, Candle[]>();

  /** Feeds one market event; only trades matter. */
  onMarket(e: MarketEvent): void {
    if (e.kind !== 'trade') return;
    const t = e.trade;
    const price = dec(t.price);
    const qty = dec(t.qty);
    const quote = mul(price, qty);
    const openTime = t.tradeTime - (t.tradeTime % MINUTE_MS);
    let list = this.candles.get(t.symbol);
    if (!list) {
      list = [];
      this.candles.set(t.symbol, list);
    }
    let c = list[list.length - 1];
    if (!c || c.openTime !== openTime) {
      c = {
        openTime,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: ZERO,
        quoteVolume: ZERO,
        trades: 0,
        takerBuyVolume: ZERO,
        takerBuyQuoteVolume: ZERO,
      };
      list.push(c);
      if (list.length > MAX_CANDLES) list.shift();
    }
    if (cmp(price, c.high) > 0) c.high = price;
    if (cmp(price, c.low) < 0) c.low = price;
    c.close = price;
    c.volume = add(c.volume, qty);
    c.quoteVolume = add(c.quoteVolume, quote);
    c.trades += 1;
    if (!t.isBuyerMaker) {
      c.takerBuyVolume = add(c.takerBuyVolume, qty);
      c.takerBuyQuoteVolume = add(c.takerBuyQuoteVolume, quote);
    }
  }

  /** Binance's kline arrays, oldest first. */
  query(q: KlineQuery): unknown[][] {
    const minutes = this.candles.get(q.symbol) ?? [];
    const rolled: Candle[] = [];
    for (const m of minutes) {
      const openTime = m.openTime - (m.openTime % q.intervalMs);
      const last = rolled[rolled.length - 1];
      if (!last || last.openTime !== openTime) {
        rolled.push({ ...m, openTime });
        continue;
      }
      if (cmp(m.high, last.high) > 0) last.high = m.high;
      if (cmp(m.low, last.low) < 0) last.low = m.low;
      last.close = m.close;
      last.volume = add(last.volume, m.volume);
      last.quoteVolume = add(last.quoteVolume, m.quoteVolume);
      last.trades += m.trades;
      last.takerBuyVolume = add(last.takerBuyVolume, m.takerBuyVolume);
      last.takerBuyQuoteVolume = add(last.takerBuyQuoteVolume, m.takerBuyQuoteVolume);
    }
    const inRange = rolled.filter(
      (c) =>
        (q.startTime === undefined || c.openTime >= q.startTime - (q.startTime % q.intervalMs)) &&
        (q.endTime === undefined || c.openTime <= q.endTime),
    );
    const page =
      q.startTime !== undefined ? inRange.slice(0, q.limit) : inRange.slice(Math.max(0, inRange.length - q.limit));
    return page.map((c) => [
      c.openTime,
      toFixed8(c.open),
      toFixed8(c.high),
      toFixed8(c.low),
      toFixed8(c.close),
      toFixed8(c.volume),
      c.openTime + q.intervalMs - 1,
      toFixed8(c.quoteVolume),
      c.trades,
      toFixed8(c.takerBuyVolume),
      toFixed8(c.takerBuyQuoteVolume),
      '0',
    ]);
  }
}
