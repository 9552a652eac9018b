// Public market data endpoints: ping, time, exchangeInfo, depth, trades, tickers.

import { binanceErrors } from '../errors.js';
import { exchangeInfo, type SymbolSpec } from '../exchange-info.js';
import { toFixed8 } from '../binance-numbers.js';
import type { Params } from '../params.js';
import { publicTradeView } from '../views.js';
import { KLINE_INTERVALS } from '../ws/stream-names.js';
import type { Call, Endpoint } from './endpoint.js';

function knownSymbol(call: Call, symbol: string): SymbolSpec {
  const spec = call.sim.venue.spec(symbol);
  if (!spec) throw binanceErrors.badSymbol();
  return spec;
}

/** `symbols=["BTCUSDT","ETHUSDT"]` as Binance takes it (a JSON array in one parameter). */
function symbolList(p: Params, call: Call): SymbolSpec[] | undefined {
  const raw = p.optional('symbols');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw binanceErrors.illegalChars('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) {
    throw binanceErrors.illegalChars('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
  }
  return (parsed as string[]).map((s) => knownSymbol(call, s));
}

/** `symbol` or `symbols`, never both; neither means every symbol. */
function selectSymbols(p: Params, call: Call): { specs: SymbolSpec[]; single: boolean } {
  if (p.has('symbol') && p.has('symbols'))
    throw binanceErrors.invalidMessage('Combination of optional parameters invalid.');
  const one = p.optionalSymbol();
  if (one !== undefined) return { specs: [knownSymbol(call, one)], single: true };
  const many = symbolList(p, call);
  return { specs: many ?? [...call.sim.venue.specs], single: false };
}

function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

const ping: Endpoint = { security: 'NONE', weight: 1, handle: () => ({}) };

const time: Endpoint = { security: 'NONE', weight: 1, handle: (call) => ({ serverTime: call.sim.clock.now() }) };

const exchangeInfoEndpoint: Endpoint = {
  security: 'NONE',
  weight: 20,
  handle(call, p) {
    const { specs } = selectSymbols(p, call);
    p.optional('permissions');
    p.optional('showPermissionSets');
    const status = p.optional('symbolStatus');
    if (status !== undefined && !['TRADING', 'HALT', 'BREAK'].includes(status)) {
      throw binanceErrors.invalidParameter('symbolStatus');
    }
    const listed = status === undefined || status === 'TRADING' ? specs : [];
    return exchangeInfo(listed, call.sim.rateLimits(), call.sim.clock.now());
  },
};

const depth: Endpoint = {
  security: 'NONE',
  weight: (p) => depthWeight(limitOrDefault(p)),
  handle(call, p) {
    const symbol = knownSymbol(call, p.symbol()).symbol;
    const limit = p.optionalInteger('limit') ?? 100;
    if (limit < 1) throw binanceErrors.invalidParameter('limit');
    if (limit > 5000) throw binanceErrors.tooGreat('limit', '5000');
    const view = call.sim.venue.run((e) => e.depth(symbol, limit));
    return {
      lastUpdateId: view.lastUpdateId,
      bids: view.bids.map(([price, qty]) => [toFixed8(price), toFixed8(qty)]),
      asks: view.asks.map(([price, qty]) => [toFixed8(price), toFixed8(qty)]),
    };
  },
};

/** The weight is due even when `limit` is malformed; the handler then refuses it. */
function limitOrDefault(p: Params): number {
  try {
    return p.optionalInteger('limit') ?? 100;
  } catch {
    return 100;
  }
}

const trades: Endpoint = {
  security: 'NONE',
  weight: 25,
  handle(call, p) {
    const symbol = knownSymbol(call, p.symbol()).symbol;
    const limit = p.optionalInteger('limit') ?? 500;
    if (limit < 1) throw binanceErrors.invalidParameter('limit');
    if (limit > 1000) throw binanceErrors.tooGreat('limit', '1000');
    return call.sim.venue.run((e) => e.recentTrades(symbol, limit)).map(publicTradeView);
  },
};

const bookTicker: Endpoint = {
  security: 'NONE',
  weight: (p) => (p.has('symbol') ? 2 : 4),
  handle(call, p) {
    const { specs, single } = selectSymbols(p, call);
    const views = specs.map((s) => {
      const t = call.sim.venue.run((e) => e.bookTicker(s.symbol));
      return {
        symbol: t.symbol,
        bidPrice: toFixed8(t.bidPrice),
        bidQty: toFixed8(t.bidQty),
        askPrice: toFixed8(t.askPrice),
        askQty: toFixed8(t.askQty),
      };
    });
    return single ? views[0] : views;
  },
};

const tickerPrice: Endpoint = {
  security: 'NONE',
  weight: (p) => (p.has('symbol') ? 2 : 4),
  handle(call, p) {
    const { specs, single } = selectSymbols(p, call);
    const views = specs.map((s) => {
      const last = call.sim.venue.run((e) => e.lastPrice(s.symbol));
      return { symbol: s.symbol, price: toFixed8(last ?? '0') };
    });
    return single ? views[0] : views;
  },
};

const avgPrice: Endpoint = {
  security: 'NONE',
  weight: 2,
  handle(call, p) {
    const symbol = knownSymbol(call, p.symbol()).symbol;
    const last = call.sim.venue.run((e) => e.lastPrice(symbol));
    return { mins: 5, price: toFixed8(last ?? '0'), closeTime: call.sim.clock.now() };
  },
};

const klines: Endpoint = {
  security: 'NONE',
  weight: 2,
  handle(call, p) {
    const symbol = knownSymbol(call, p.symbol()).symbol;
    const interval = p.required('interval');
    const intervalMs = KLINE_INTERVALS[interval];
    if (intervalMs === undefined) throw binanceErrors.badInterval();
    const startTime = p.optionalInteger('startTime');
    const endTime = p.optionalInteger('endTime');
    const timeZone = p.optional('timeZone');
    if (timeZone !== undefined && !/^(\+?0|0?0:00|\+00:00)$/.test(timeZone))
      throw binanceErrors.invalidParameter('timeZone');
    const limit = p.optionalInteger('limit') ?? 500;
    if (limit < 1) throw binanceErrors.invalidParameter('limit');
    if (limit > 1000) throw binanceErrors.tooGreat('limit', '1000');
    return call.sim.klines.query({
      symbol,
      intervalMs,
      limit,
      ...(startTime !== undefined ? { startTime } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
    });
  },
};

export const marketEndpoints = {
  klines,
  ping,
  time,
  exchangeInfo: exchangeInfoEndpoint,
  depth,
  trades,
  bookTicker,
  tickerPrice,
  avgPrice,
} as const;
