// Candles for GET /api/v3/klines, built from the tape as trades print. One-minute candles are kept
// (a bounded day per symbol) and wider intervals are rolled up from them on request.

import { dec, ZERO, type Decimal } from '@bourse/domain';
import { toFixed8 } from './binance-numbers.js';
import type { MarketEvent } from './venue.js';

const MINUTE_MS = 60_000;
/** One day of one-minute candles per symbol (bounded memory). */
const MAX_CANDLES = 1440;

interface Candle {
  openTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  quoteVolume: Decimal;
  trades: number;
  takerBuyVolume: Decimal;
  takerBuyQuoteVolume: Decimal;
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
    const quote = price.times(qty);
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
    if (price.gt(c.high)) c.high = price;
    if (price.lt(c.low)) c.low = price;
    c.close = price;
    c.volume = c.volume.plus(qty);
    c.quoteVolume = c.quoteVolume.plus(quote);
    c.trades += 1;
    if (!t.isBuyerMaker) {
      c.takerBuyVolume = c.takerBuyVolume.plus(qty);
      c.takerBuyQuoteVolume = c.takerBuyQuoteVolume.plus(quote);
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
      if (m.high.gt(last.high)) last.high = m.high;
      if (m.low.lt(last.low)) last.low = m.low;
      last.close = m.close;
      last.volume = last.volume.plus(m.volume);
      last.quoteVolume = last.quoteVolume.plus(m.quoteVolume);
      last.trades += m.trades;
      last.takerBuyVolume = last.takerBuyVolume.plus(m.takerBuyVolume);
      last.takerBuyQuoteVolume = last.takerBuyQuoteVolume.plus(m.takerBuyQuoteVolume);
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
