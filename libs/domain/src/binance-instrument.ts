import { InstrumentSymbol } from '@bourse/contracts';
import { Decimal, ONE } from './decimal.js';
import { InvalidInstrumentError } from './errors.js';
import type { InstrumentSpec, PriceBand } from './instrument.js';

// Binance exchangeInfo `symbols[]` → InstrumentSpec. The input is plain JSON typed structurally, so
// the venue adapter can hand over what it received without a schema of ours in between. Filters we
// do not use (ICEBERG_PARTS, TRAILING_DELTA, MAX_POSITION, …) are ignored; a filter we use with a
// malformed field makes the whole symbol invalid, because trading on half-known rules is worse than
// not trading it.

export interface BinanceSymbolFilter {
  readonly filterType: string;
  readonly [field: string]: unknown;
}

/** One entry of Binance `GET /api/v3/exchangeInfo` → `symbols[]`, as plain JSON. */
export interface BinanceSymbolInfo {
  readonly symbol: string;
  readonly status?: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly baseAssetPrecision?: number;
  readonly quoteAssetPrecision?: number;
  readonly quotePrecision?: number;
  readonly filters: readonly BinanceSymbolFilter[];
  readonly [field: string]: unknown;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Converts one exchangeInfo symbol into a spec; a "0" rule becomes undefined (disabled); throws InvalidInstrumentError listing every malformed field. */
export function binanceSymbolToInstrument(info: BinanceSymbolInfo, venue = 'binance'): InstrumentSpec {
  const problems: string[] = [];
  const name = typeof info?.symbol === 'string' ? info.symbol : '?';
  if (typeof info !== 'object' || info === null) throw new InvalidInstrumentError(name, ['not an object']);

  const symbolText = `${String(info.baseAsset)}/${String(info.quoteAsset)}`;
  const symbol = InstrumentSymbol.safeParse(symbolText);
  if (!symbol.success) problems.push(`baseAsset/quoteAsset "${symbolText}" do not form a BASE/QUOTE symbol`);
  if (typeof info.symbol !== 'string' || info.symbol.length === 0) problems.push('symbol is missing');
  if (!Array.isArray(info.filters)) problems.push('filters is not an array');

  // Reads a decimal field of a filter; "0" means the rule is disabled.
  const rule = (filter: BinanceSymbolFilter, field: string): Decimal | undefined => {
    const raw = filter[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw)) {
      problems.push(`${filter.filterType}.${field} ${JSON.stringify(raw)} is not a non-negative decimal string`);
      return undefined;
    }
    const value = Decimal.parse(raw);
    return value.isZero() ? undefined : value;
  };
  const count = (filter: BinanceSymbolFilter, field: string): number | undefined => {
    const raw = filter[field];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
      problems.push(`${filter.filterType}.${field} ${JSON.stringify(raw)} is not a non-negative integer`);
      return undefined;
    }
    return raw === 0 ? undefined : raw;
  };
  const flag = (filter: BinanceSymbolFilter, field: string, fallback: boolean): boolean =>
    typeof filter[field] === 'boolean' ? (filter[field] as boolean) : fallback;

  const spec: Mutable<Omit<InstrumentSpec, 'symbol'>> = {
    base: String(info.baseAsset),
    quote: String(info.quoteAsset),
    venue: venue,
    venueSymbol: String(info.symbol),
    trading: info.status === undefined || info.status === 'TRADING',
    minNotionalAppliesToMarket: false,
    maxNotionalAppliesToMarket: false,
    multiplier: ONE,
    basePrecision: typeof info.baseAssetPrecision === 'number' ? info.baseAssetPrecision : undefined,
    quotePrecision:
      typeof info.quoteAssetPrecision === 'number'
        ? info.quoteAssetPrecision
        : typeof info.quotePrecision === 'number'
          ? info.quotePrecision
          : undefined,
  };
  // Both MIN_NOTIONAL (older) and NOTIONAL can be listed; the stricter minimum wins.
  const raiseMinNotional = (value: Decimal | undefined, appliesToMarket: boolean): void => {
    if (value === undefined) return;
    if (spec.minNotional === undefined || value.gt(spec.minNotional)) {
      spec.minNotional = value;
      spec.minNotionalAppliesToMarket = appliesToMarket;
    }
  };

  for (const filter of Array.isArray(info.filters) ? info.filters : []) {
    if (typeof filter !== 'object' || filter === null || typeof filter.filterType !== 'string') {
      problems.push('a filter has no filterType');
      continue;
    }
    switch (filter.filterType) {
      case 'PRICE_FILTER':
        spec.minPrice = rule(filter, 'minPrice');
        spec.maxPrice = rule(filter, 'maxPrice');
        spec.tickSize = rule(filter, 'tickSize');
        break;
      case 'LOT_SIZE':
        spec.minQty = rule(filter, 'minQty');
        spec.maxQty = rule(filter, 'maxQty');
        spec.stepSize = rule(filter, 'stepSize');
        break;
      case 'MARKET_LOT_SIZE':
        spec.marketMinQty = rule(filter, 'minQty');
        spec.marketMaxQty = rule(filter, 'maxQty');
        spec.marketStepSize = rule(filter, 'stepSize');
        break;
      case 'MIN_NOTIONAL':
        raiseMinNotional(rule(filter, 'minNotional'), flag(filter, 'applyToMarket', true));
        break;
      case 'NOTIONAL':
        raiseMinNotional(rule(filter, 'minNotional'), flag(filter, 'applyMinToMarket', true));
        spec.maxNotional = rule(filter, 'maxNotional');
        spec.maxNotionalAppliesToMarket = flag(filter, 'applyMaxToMarket', false);
        break;
      case 'PERCENT_PRICE_BY_SIDE':
        spec.priceBand = band(filter, rule, count, [
          'bidMultiplierUp',
          'bidMultiplierDown',
          'askMultiplierUp',
          'askMultiplierDown',
        ]);
        break;
      case 'PERCENT_PRICE':
        // The by-side filter is the finer one; keep it when both are listed.
        if (!info.filters.some((f) => f?.filterType === 'PERCENT_PRICE_BY_SIDE')) {
          spec.priceBand = band(filter, rule, count, [
            'multiplierUp',
            'multiplierDown',
            'multiplierUp',
            'multiplierDown',
          ]);
        }
        break;
      case 'MAX_NUM_ORDERS':
        spec.maxNumOrders = count(filter, 'maxNumOrders');
        break;
      case 'MAX_NUM_ALGO_ORDERS':
        spec.maxNumAlgoOrders = count(filter, 'maxNumAlgoOrders');
        break;
      default:
        break;
    }
  }
  if (problems.length > 0 || !symbol.success) throw new InvalidInstrumentError(name, problems);
  return { symbol: symbol.data, ...spec };
}

function band(
  filter: BinanceSymbolFilter,
  rule: (f: BinanceSymbolFilter, field: string) => Decimal | undefined,
  count: (f: BinanceSymbolFilter, field: string) => number | undefined,
  [bidUp, bidDown, askUp, askDown]: [string, string, string, string],
): PriceBand | undefined {
  const up = rule(filter, bidUp);
  const down = rule(filter, bidDown);
  const aUp = rule(filter, askUp);
  const aDown = rule(filter, askDown);
  if (!up || !down || !aUp || !aDown) return undefined;
  return { bidUp: up, bidDown: down, askUp: aUp, askDown: aDown, avgPriceMins: count(filter, 'avgPriceMins') ?? 0 };
}
