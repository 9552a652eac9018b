import { z } from 'zod';
import { DecimalString, InstrumentSymbol, VenueId } from '@bourse/contracts';
import { Decimal, ONE } from './decimal.js';
import { InvalidInstrumentError } from './errors.js';

// An instrument's trading rules as the domain uses them: exact decimals, and `undefined` for a rule
// the venue does not enforce (Binance writes a disabled rule as "0"; we never compare against it).

/** Allowed price band relative to a reference (average) price, per side of the order. */
export interface PriceBand {
  /** BUY price must be <= reference * bidUp and >= reference * bidDown. */
  readonly bidUp: Decimal;
  readonly bidDown: Decimal;
  /** SELL price must be <= reference * askUp and >= reference * askDown. */
  readonly askUp: Decimal;
  readonly askDown: Decimal;
  /** Minutes the venue averages its reference price over (0 = last price). */
  readonly avgPriceMins: number;
}

export interface InstrumentSpec {
  /** Internal venue-neutral symbol, `BASE/QUOTE`. */
  readonly symbol: InstrumentSymbol;
  readonly base: string;
  readonly quote: string;
  readonly venue: VenueId;
  /** The venue's own name for it (`BTCUSDT` on Binance). */
  readonly venueSymbol: string;
  /** False when the venue does not currently accept orders (Binance status other than TRADING). */
  readonly trading: boolean;
  /** PRICE_FILTER. */
  readonly tickSize?: Decimal;
  readonly minPrice?: Decimal;
  readonly maxPrice?: Decimal;
  /** LOT_SIZE: applies to every order. */
  readonly stepSize?: Decimal;
  readonly minQty?: Decimal;
  readonly maxQty?: Decimal;
  /** MARKET_LOT_SIZE: applies to market orders in addition to LOT_SIZE. */
  readonly marketStepSize?: Decimal;
  readonly marketMinQty?: Decimal;
  readonly marketMaxQty?: Decimal;
  /** NOTIONAL / MIN_NOTIONAL (price * qty, in the quote asset). */
  readonly minNotional?: Decimal;
  readonly minNotionalAppliesToMarket: boolean;
  readonly maxNotional?: Decimal;
  readonly maxNotionalAppliesToMarket: boolean;
  /** PERCENT_PRICE_BY_SIDE (or PERCENT_PRICE, the same band on both sides). */
  readonly priceBand?: PriceBand;
  /** MAX_NUM_ORDERS: open orders allowed on the symbol per account. */
  readonly maxNumOrders?: number;
  /** MAX_NUM_ALGO_ORDERS: open stop orders allowed on the symbol per account. */
  readonly maxNumAlgoOrders?: number;
  /** Contract multiplier: quote value of one unit of quantity at price 1. 1 for spot. */
  readonly multiplier: Decimal;
  /** Decimal places the venue accepts for quantities and prices, when it says (Binance baseAssetPrecision / quoteAssetPrecision). */
  readonly basePrecision?: number;
  readonly quotePrecision?: number;
}

const Dec = DecimalString;
const PriceBandJson = z.strictObject({
  bidUp: Dec,
  bidDown: Dec,
  askUp: Dec,
  askDown: Dec,
  avgPriceMins: z.number().int().nonnegative(),
});

/** The wire / storage form of an InstrumentSpec: every number a decimal string. */
export const InstrumentSpecJson = z.strictObject({
  symbol: InstrumentSymbol,
  base: z.string().min(1),
  quote: z.string().min(1),
  venue: VenueId,
  venueSymbol: z.string().min(1),
  trading: z.boolean(),
  tickSize: Dec.optional(),
  minPrice: Dec.optional(),
  maxPrice: Dec.optional(),
  stepSize: Dec.optional(),
  minQty: Dec.optional(),
  maxQty: Dec.optional(),
  marketStepSize: Dec.optional(),
  marketMinQty: Dec.optional(),
  marketMaxQty: Dec.optional(),
  minNotional: Dec.optional(),
  minNotionalAppliesToMarket: z.boolean(),
  maxNotional: Dec.optional(),
  maxNotionalAppliesToMarket: z.boolean(),
  priceBand: PriceBandJson.optional(),
  maxNumOrders: z.number().int().positive().optional(),
  maxNumAlgoOrders: z.number().int().positive().optional(),
  multiplier: Dec,
  basePrecision: z.number().int().nonnegative().optional(),
  quotePrecision: z.number().int().nonnegative().optional(),
});
export type InstrumentSpecJson = z.infer<typeof InstrumentSpecJson>;

const DECIMAL_FIELDS = [
  'tickSize',
  'minPrice',
  'maxPrice',
  'stepSize',
  'minQty',
  'maxQty',
  'marketStepSize',
  'marketMinQty',
  'marketMaxQty',
  'minNotional',
  'maxNotional',
] as const;

/** Converts a spec to its JSON form (canonical decimal strings); never rounds, never throws. */
export function instrumentToJson(spec: InstrumentSpec): InstrumentSpecJson {
  const json: Record<string, unknown> = { ...spec, multiplier: spec.multiplier.toString() };
  for (const key of DECIMAL_FIELDS) json[key] = spec[key]?.toString();
  if (spec.priceBand) {
    const b = spec.priceBand;
    json.priceBand = {
      bidUp: b.bidUp.toString(),
      bidDown: b.bidDown.toString(),
      askUp: b.askUp.toString(),
      askDown: b.askDown.toString(),
      avgPriceMins: b.avgPriceMins,
    };
  }
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json as InstrumentSpecJson;
}

/** Parses the JSON form back into a spec (never rounds); throws InvalidInstrumentError naming every bad field. */
export function instrumentFromJson(value: unknown): InstrumentSpec {
  const parsed = InstrumentSpecJson.safeParse(value);
  if (!parsed.success) {
    const symbol = typeof value === 'object' && value !== null ? String((value as { symbol?: unknown }).symbol) : '?';
    throw new InvalidInstrumentError(
      symbol,
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
      { cause: parsed.error },
    );
  }
  const j = parsed.data;
  const d = (s: string | undefined): Decimal | undefined => (s === undefined ? undefined : Decimal.parse(s));
  return {
    symbol: j.symbol,
    base: j.base,
    quote: j.quote,
    venue: j.venue,
    venueSymbol: j.venueSymbol,
    trading: j.trading,
    tickSize: d(j.tickSize),
    minPrice: d(j.minPrice),
    maxPrice: d(j.maxPrice),
    stepSize: d(j.stepSize),
    minQty: d(j.minQty),
    maxQty: d(j.maxQty),
    marketStepSize: d(j.marketStepSize),
    marketMinQty: d(j.marketMinQty),
    marketMaxQty: d(j.marketMaxQty),
    minNotional: d(j.minNotional),
    minNotionalAppliesToMarket: j.minNotionalAppliesToMarket,
    maxNotional: d(j.maxNotional),
    maxNotionalAppliesToMarket: j.maxNotionalAppliesToMarket,
    priceBand: j.priceBand && {
      bidUp: Decimal.parse(j.priceBand.bidUp),
      bidDown: Decimal.parse(j.priceBand.bidDown),
      askUp: Decimal.parse(j.priceBand.askUp),
      askDown: Decimal.parse(j.priceBand.askDown),
      avgPriceMins: j.priceBand.avgPriceMins,
    },
    maxNumOrders: j.maxNumOrders,
    maxNumAlgoOrders: j.maxNumAlgoOrders,
    multiplier: Decimal.parse(j.multiplier),
    basePrecision: j.basePrecision,
    quotePrecision: j.quotePrecision,
  };
}

/** Builds a spot spec with no venue rules from the essentials (never rounds); throws InvalidInstrumentError on a bad symbol. */
export function spotInstrument(
  symbol: string,
  venue: string,
  venueSymbol: string,
  rules: Partial<Omit<InstrumentSpec, 'symbol' | 'base' | 'quote' | 'venue' | 'venueSymbol'>> = {},
): InstrumentSpec {
  const sym = InstrumentSymbol.safeParse(symbol);
  const ven = VenueId.safeParse(venue);
  const problems = [
    ...(sym.success ? [] : [`symbol: ${sym.error.issues[0]?.message ?? 'invalid'}`]),
    ...(ven.success ? [] : [`venue: ${ven.error.issues[0]?.message ?? 'invalid'}`]),
  ];
  if (!sym.success || !ven.success) throw new InvalidInstrumentError(symbol, problems);
  const [base = '', quote = ''] = symbol.split('/');
  return {
    trading: true,
    minNotionalAppliesToMarket: false,
    maxNotionalAppliesToMarket: false,
    multiplier: ONE,
    ...rules,
    symbol: sym.data,
    base,
    quote,
    venue: ven.data,
    venueSymbol,
  };
}
