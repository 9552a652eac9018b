import { MatchingError } from './errors.js';
import { UNIT, formatScaled, formatUnits, parseUnits, powerOfTenDecimals } from './decimal.js';
import type { SymbolConfig } from './types.js';

/** A symbol's configuration compiled to the integer grids the matcher works on. */
export interface SymbolSpec {
  readonly config: SymbolConfig;
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** One tick / one lot in balance units (10^-18). */
  readonly tickUnits: bigint;
  readonly stepUnits: bigint;
  /** Quote units of one tick × one lot: quote = ticks × lots × quoteFactor. */
  readonly quoteFactor: bigint;
  readonly minQtyLots: number;
  readonly maxQtyLots: number;
  readonly minNotionalUnits: bigint;
  readonly makerFee: bigint;
  readonly takerFee: bigint;
  /** Decimals of a power-of-ten tick / step (fast formatting), or -1. */
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
}

const ASSET = /^[A-Z0-9]{1,20}$/;
const SYMBOL = /^[A-Z0-9]{2,20}$/;

function bad(config: SymbolConfig, what: string, value: unknown): never {
  throw new MatchingError('INVALID_SYMBOL_CONFIG', `symbol ${config.symbol}: ${what}`, value);
}

function units(config: SymbolConfig, field: keyof SymbolConfig, positive: boolean): bigint {
  const text = config[field];
  const u = typeof text === 'string' ? parseUnits(text) : undefined;
  if (u === undefined || (positive && u === 0n)) {
    bad(config, `${field} must be a ${positive ? 'positive ' : ''}decimal string, got ${String(text)}`, text);
  }
  return u;
}

export function compileSymbol(config: SymbolConfig): SymbolSpec {
  if (typeof config.symbol !== 'string' || !SYMBOL.test(config.symbol))
    bad(config, 'symbol must be A-Z0-9', config.symbol);
  if (!ASSET.test(config.baseAsset)) bad(config, 'baseAsset must be A-Z0-9', config.baseAsset);
  if (!ASSET.test(config.quoteAsset)) bad(config, 'quoteAsset must be A-Z0-9', config.quoteAsset);
  if (config.baseAsset === config.quoteAsset) bad(config, 'baseAsset and quoteAsset must differ', config.baseAsset);
  const tickUnits = units(config, 'tickSize', true);
  const stepUnits = units(config, 'stepSize', true);
  // Notional of one tick × one lot must be a whole number of units, or quote amounts would round.
  if ((tickUnits * stepUnits) % UNIT !== 0n) bad(config, 'tickSize × stepSize needs more than 18 decimals', config);
  const quoteFactor = (tickUnits * stepUnits) / UNIT;
  const minQty = units(config, 'minQty', false);
  const maxQty = units(config, 'maxQty', true);
  if (minQty % stepUnits !== 0n || maxQty % stepUnits !== 0n)
    bad(config, 'minQty and maxQty must be multiples of stepSize', config);
  if (maxQty < minQty) bad(config, 'maxQty must not be below minQty', config);
  const maxQtyLots = maxQty / stepUnits;
  if (maxQtyLots > BigInt(Number.MAX_SAFE_INTEGER))
    bad(config, 'maxQty / stepSize must stay below 2^53', config.maxQty);
  const makerFee = units(config, 'makerFeeRate', false);
  const takerFee = units(config, 'takerFeeRate', false);
  if (makerFee > UNIT || takerFee > UNIT) bad(config, 'fee rates must be at most 1', config);
  return {
    config: { ...config },
    symbol: config.symbol,
    baseAsset: config.baseAsset,
    quoteAsset: config.quoteAsset,
    tickUnits,
    stepUnits,
    quoteFactor,
    minQtyLots: Number(minQty / stepUnits),
    maxQtyLots: Number(maxQtyLots),
    minNotionalUnits: units(config, 'minNotional', false),
    makerFee,
    takerFee,
    priceDecimals: powerOfTenDecimals(tickUnits),
    qtyDecimals: powerOfTenDecimals(stepUnits),
  };
}

export function formatPrice(spec: SymbolSpec, ticks: number): string {
  return spec.priceDecimals >= 0
    ? formatScaled(ticks, spec.priceDecimals)
    : formatUnits(BigInt(ticks) * spec.tickUnits);
}

export function formatQty(spec: SymbolSpec, lots: number): string {
  return spec.qtyDecimals >= 0 ? formatScaled(lots, spec.qtyDecimals) : formatUnits(BigInt(lots) * spec.stepUnits);
}

/** Quote amount of `lots` at `ticks`, in units. */
export function notional(spec: SymbolSpec, ticks: number, lots: number): bigint {
  return BigInt(ticks) * BigInt(lots) * spec.quoteFactor;
}
