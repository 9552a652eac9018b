// The symbols the sim lists and the rules it applies to them, in the shape of Binance's
// GET /api/v3/exchangeInfo. Filter values follow what Binance publishes for these pairs, so an
// adapter that loads its instrument registry from here rounds exactly as it would in production.

import type { RateLimitConfig } from './types.js';
import { weightRule } from './rate-limits.js';

export interface SymbolSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly marketMaxQty: string;
  readonly minNotional: string;
  readonly maxNotional: string;
  readonly maxNumOrders: number;
  /** Where the simulated market starts trading when nothing else says so. */
  readonly referencePrice: string;
}

const SPECS: readonly SymbolSpec[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '1000000',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    marketMaxQty: '100',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
    referencePrice: '60000',
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '1000000',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '9000',
    marketMaxQty: '5000',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
    referencePrice: '3000',
  },
  {
    symbol: 'SOLUSDT',
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '10000',
    stepSize: '0.001',
    minQty: '0.001',
    maxQty: '9000000',
    marketMaxQty: '50000',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
    referencePrice: '150',
  },
  {
    symbol: 'BNBUSDT',
    baseAsset: 'BNB',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '100000',
    stepSize: '0.001',
    minQty: '0.001',
    maxQty: '9000000',
    marketMaxQty: '9000',
    minNotional: '5',
    maxNotional: '9000000',
    maxNumOrders: 200,
    referencePrice: '600',
  },
  {
    symbol: 'ETHBTC',
    baseAsset: 'ETH',
    quoteAsset: 'BTC',
    tickSize: '0.00001',
    minPrice: '0.00001',
    maxPrice: '922327',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '100000',
    marketMaxQty: '2000',
    minNotional: '0.0001',
    maxNotional: '9000000',
    maxNumOrders: 200,
    referencePrice: '0.05',
  },
];

export const DEFAULT_SYMBOLS: readonly string[] = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
export const KNOWN_SYMBOLS: readonly string[] = SPECS.map((s) => s.symbol);

export class UnknownSymbolError extends Error {
  override readonly name = 'UnknownSymbolError';
  readonly code = 'UNKNOWN_SYMBOL';
  constructor(readonly symbol: string) {
    super(`the sim does not list ${symbol}; known symbols: ${KNOWN_SYMBOLS.join(', ')}`);
  }
}

export function symbolSpec(symbol: string): SymbolSpec {
  const spec = SPECS.find((s) => s.symbol === symbol);
  if (!spec) throw new UnknownSymbolError(symbol);
  return spec;
}

export const ORDER_TYPES = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'];

function eight(s: string): string {
  // Binance prints filter values with 8 decimals.
  const [whole = '0', frac = ''] = s.split('.');
  return `${whole}.${frac.padEnd(8, '0').slice(0, 8)}`;
}

/** The TRAILING_DELTA filter's bounds in BIPS, the same for every symbol (Binance's usual values). */
export const TRAILING_DELTA = {
  minTrailingAboveDelta: 10,
  maxTrailingAboveDelta: 2000,
  minTrailingBelowDelta: 10,
  maxTrailingBelowDelta: 2000,
} as const;

export function symbolFilters(spec: SymbolSpec): Record<string, unknown>[] {
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: eight(spec.minPrice),
      maxPrice: eight(spec.maxPrice),
      tickSize: eight(spec.tickSize),
    },
    { filterType: 'LOT_SIZE', minQty: eight(spec.minQty), maxQty: eight(spec.maxQty), stepSize: eight(spec.stepSize) },
    { filterType: 'ICEBERG_PARTS', limit: 10 },
    { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: eight(spec.marketMaxQty), stepSize: '0.00000000' },
    { filterType: 'TRAILING_DELTA', ...TRAILING_DELTA },
    {
      filterType: 'NOTIONAL',
      minNotional: eight(spec.minNotional),
      applyMinToMarket: true,
      maxNotional: eight(spec.maxNotional),
      applyMaxToMarket: false,
      avgPriceMins: 5,
    },
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: spec.maxNumOrders },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
  ];
}

export function symbolInfo(spec: SymbolSpec): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    status: 'TRADING',
    baseAsset: spec.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: spec.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [...ORDER_TYPES],
    icebergAllowed: false,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: symbolFilters(spec),
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: STP_MODES,
  };
}

export function rateLimitsInfo(limits: RateLimitConfig): Record<string, unknown>[] {
  return [
    weightRule(limits),
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10Seconds },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: limits.ordersPerDay },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: limits.rawRequestsPer5Minutes },
  ];
}

export function exchangeInfo(
  specs: readonly SymbolSpec[],
  limits: RateLimitConfig,
  serverTime: number,
): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: rateLimitsInfo(limits),
    exchangeFilters: [],
    symbols: specs.map(symbolInfo),
  };
}
