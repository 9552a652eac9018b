// Candles for GET /api/v3/klines, built from the tape as trades print. One-second candles (a bounded
// hour per symbol, for the `1s` interval Binance Spot serves) and one-minute candles (a bounded day per
// symbol) are kept; wider intervals are rolled up from the minutes on request.

import { dec, ZERO, type Decimal } from '@bourse/domain';
import { toFixed8 } from './binance-numbers.js';
import type { MarketEvent } from './venue.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
/** Bounded memory: an hour of one-second candles and a day of one-minute candles per symbol. */
const MAX_SECOND_CANDLES = 3600;
const MAX_MINUTE_CANDLES = 1440;

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
  private readonly seconds = new Map<string, Candle[]>();
  private readonly minutes = new Map<string, Candle[]>();

  /** Feeds one market event; only trades matter. */
  onMarket(e: MarketEvent): void {
    if (e.kind !== 'trade') return;
    const t = e.trade;
    const price = dec(t.price);
    const qty = dec(t.qty);
    const quote = price.times(qty);
    for (const [series, bucketMs, max] of [
      [this.seconds, SECOND_MS, MAX_SECOND_CANDLES],
      [this.minutes, MINUTE_MS, MAX_MINUTE_CANDLES],
    ] as const) {
      const openTime = t.tradeTime - (t.tradeTime % bucketMs);
      let list = series.get(t.symbol);
      if (!list) {
        list = [];
        series.set(t.symbol, list);
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
        if (list.length > max) list.shift();
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
  }

  /** Binance's kline arrays, oldest first. */
  query(q: KlineQuery): unknown[][] {
    const source = (q.intervalMs < MINUTE_MS ? this.seconds : this.minutes).get(q.symbol) ?? [];
    const rolled: Candle[] = [];
    for (const m of source) {
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
