import type { Bar, HistoryRequest } from '@bourse/strategy';
import type { InstrumentSymbol } from '@bourse/contracts';
import type { Kline, KlineInterval } from '@bourse/venues';
import { HistoryUnavailableError } from './errors.js';

/** The venue's candles, as `MarketDataFeed.klines` reads them: the newest `limit`, oldest first. */
export type KlineSource = (symbol: InstrumentSymbol, interval: KlineInterval, limit: number) => Promise<Kline[]>;

const INTERVALS: ReadonlySet<string> = new Set<KlineInterval>([
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
]);
/** Binance's most candles per request. */
const MAX_LIMIT = 1000;

/**
 * Reads the history a core's request asks for and turns the venue's candles into closed bars. The
 * feed has no end-time parameter, so it asks for the newest candles and enough of them to reach past
 * the seam however late the request runs (the windows since the seam, plus the one still forming);
 * `RunnerCore.onHistory` keeps only those that close at or before the seam.
 */
export async function loadHistory(source: KlineSource, request: HistoryRequest, now: number): Promise<Bar[]> {
  if (!INTERVALS.has(request.label)) {
    throw new HistoryUnavailableError(`the venue has no ${request.label} candles`, request.label);
  }
  const since = Math.max(0, Math.ceil((now - request.before) / request.timeframeMs));
  const limit = request.bars + since + 1;
  if (limit > MAX_LIMIT) {
    throw new HistoryUnavailableError(
      `${request.bars} bars of ${request.label} ending ${since} windows ago need ${limit} candles, more than one request reads (${MAX_LIMIT})`,
      limit,
    );
  }
  const klines = await source(request.ref.symbol as InstrumentSymbol, request.label as KlineInterval, limit);
  return klines.map((k) => klineBar(k, request.timeframeMs));
}

/** A venue candle as a closed bar (its `closeTime` is the window's last ms; a bar's is exclusive). */
export function klineBar(kline: Kline, timeframeMs: number): Bar {
  return {
    symbol: kline.symbol,
    timeframeMs,
    openTime: kline.openTime,
    closeTime: kline.openTime + timeframeMs,
    open: Number(kline.open),
    high: Number(kline.high),
    low: Number(kline.low),
    close: Number(kline.close),
    volume: Number(kline.volume),
    tradeCount: kline.trades,
    state: 'closed',
  };
}
