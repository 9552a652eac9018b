import type { DecimalString, Side } from '@bourse/contracts';
import { BadHeaderError, clip } from '../errors.js';
import { normalizeName, parsePriceField, parseQtyField, RowFault, toPlainDecimal } from './fields.js';
import { RowStream, type LineParser, type ReadOptions } from './row-reader.js';
import { splitCsvLine, type DataSource } from './source.js';
import { parseTimestamp } from './time.js';

/** Top of book at one instant. Exact strings plus float copies, as on Bar. */
export interface QuoteTick {
  readonly time: number;
  readonly line: number;
  readonly bidPrice: DecimalString;
  readonly bidQty: DecimalString;
  readonly askPrice: DecimalString;
  readonly askQty: DecimalString;
  readonly bidPriceNum: number;
  readonly bidQtyNum: number;
  readonly askPriceNum: number;
  readonly askQtyNum: number;
}

/** One public trade print. */
export interface TradeTick {
  readonly time: number;
  readonly line: number;
  readonly price: DecimalString;
  readonly qty: DecimalString;
  readonly priceNum: number;
  readonly qtyNum: number;
  /** The aggressor's side, when the file says it. */
  readonly side?: Side;
  /** The venue's trade id, when the file has one. */
  readonly id?: string;
}

/** `auto` (default) reads NDJSON when the first non-blank line starts with `{`, CSV otherwise. */
export type TickFormat = 'csv' | 'ndjson' | 'auto';

export interface TickReadOptions extends ReadOptions {
  readonly format?: TickFormat;
  /** CSV field separator; default `,`. */
  readonly delimiter?: string;
}

type QuoteField = 'time' | 'bidPrice' | 'bidQty' | 'askPrice' | 'askQty';
type TradeField = 'time' | 'price' | 'qty' | 'side' | 'id';

// Column or key names accepted for each field, after normalizeName (so `bid_qty`, `Bid Qty` and `bidQty` all match).
const TIME_ALIASES = ['time', 'timestamp', 'ts', 'date', 'datetime', 't'];
const QUOTE_ALIASES: Record<QuoteField, readonly string[]> = {
  time: TIME_ALIASES,
  bidPrice: ['bidprice', 'bid', 'bidpx', 'bestbid', 'bestbidprice'],
  bidQty: ['bidqty', 'bidsize', 'bidsz', 'bidvolume', 'bidamount', 'bestbidqty'],
  askPrice: ['askprice', 'ask', 'askpx', 'bestask', 'bestaskprice'],
  askQty: ['askqty', 'asksize', 'asksz', 'askvolume', 'askamount', 'bestaskqty'],
};
const TRADE_ALIASES: Record<TradeField, readonly string[]> = {
  time: TIME_ALIASES,
  price: ['price', 'px', 'p'],
  qty: ['qty', 'quantity', 'size', 'amount', 'volume', 'q'],
  side: ['side', 'aggressor', 'takerside'],
  id: ['id', 'tradeid'],
};
const QUOTE_REQUIRED: readonly QuoteField[] = ['time', 'bidPrice', 'bidQty', 'askPrice', 'askQty'];
const TRADE_REQUIRED: readonly TradeField[] = ['time', 'price', 'qty'];

/** A row's fields by name, whichever format it came in. */
type Lookup<F extends string> = (field: F) => string | undefined;

function aliasIndex<F extends string>(aliases: Record<F, readonly string[]>): Map<string, F> {
  const index = new Map<string, F>();
  for (const [field, names] of Object.entries(aliases) as [F, readonly string[]][]) {
    for (const name of names) index.set(name, field);
  }
  return index;
}

/**
 * Reads lines of CSV (header first) or NDJSON (one JSON object a line) into rows of named fields, and
 * hands each to `build`. Tick times must not go backwards; equal times are fine (trades share a millisecond).
 */
class TickParser<F extends string, T extends { time: number }> implements LineParser<T> {
  private format: 'csv' | 'ndjson' | undefined;
  private csvColumns: Map<F, number> | undefined;
  private csvWidth = 0;
  private lastTime: number | undefined;
  private lastTimeLine = 0;
  private readonly byAlias: Map<string, F>;

  constructor(
    private readonly source: string,
    private readonly aliases: Record<F, readonly string[]>,
    private readonly required: readonly F[],
    private readonly build: (get: Lookup<F>, line: number) => T,
    private readonly options: TickReadOptions,
  ) {
    this.byAlias = aliasIndex(aliases);
    const format = options.format ?? 'auto';
    this.format = format === 'auto' ? undefined : format;
  }

  parse(text: string, line: number): T | undefined {
    if (text.trim() === '') return undefined;
    this.format ??= text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
    let get: Lookup<F>;
    if (this.format === 'ndjson') {
      get = this.jsonLookup(text);
    } else {
      if (this.csvColumns === undefined) {
        this.csvColumns = this.readHeader(text);
        return undefined;
      }
      get = this.csvLookup(text, this.csvColumns);
    }
    const tick = this.build(get, line);
    if (this.lastTime !== undefined && tick.time < this.lastTime) {
      throw new RowFault(
        'time',
        `${new Date(tick.time).toISOString()} is before the previous tick's ${new Date(this.lastTime).toISOString()} (line ${this.lastTimeLine})`,
      );
    }
    this.lastTime = tick.time;
    this.lastTimeLine = line;
    return tick;
  }

  finish(): void {
    if (this.format === 'csv' && this.csvColumns === undefined) {
      throw new BadHeaderError(this.source, '', 'is missing: the input is empty');
    }
  }

  private readHeader(text: string): Map<F, number> {
    const columns = new Map<F, number>();
    const names = splitCsvLine(text, this.options.delimiter ?? ',');
    names.forEach((name, index) => {
      const field = this.byAlias.get(normalizeName(name));
      if (field === undefined) return;
      if (columns.has(field)) throw new BadHeaderError(this.source, text, `names the ${field} field twice`);
      columns.set(field, index);
    });
    const missing = this.required.filter((f) => !columns.has(f));
    if (missing.length > 0) {
      const expected = this.required.map((f) => `${f} (${this.aliases[f].join('/')})`).join(', ');
      throw new BadHeaderError(this.source, text, `lacks ${missing.join(', ')}: expected ${expected}`);
    }
    this.csvWidth = names.length;
    return columns;
  }

  private csvLookup(text: string, columns: Map<F, number>): Lookup<F> {
    const fields = splitCsvLine(text, this.options.delimiter ?? ',');
    if (fields.length < this.csvWidth) {
      throw new RowFault('row', `has ${fields.length} fields, the header has ${this.csvWidth}`);
    }
    return (field) => {
      const index = columns.get(field);
      return index === undefined ? undefined : fields[index];
    };
  }

  private jsonLookup(text: string): Lookup<F> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new RowFault('row', `is not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RowFault('row', 'is not a JSON object');
    }
    const found = new Map<F, string>();
    for (const [key, raw] of Object.entries(value)) {
      const field = this.byAlias.get(normalizeName(key));
      if (field === undefined) continue;
      if (found.has(field)) throw new RowFault(key, `gives ${field} a second time`);
      found.set(field, jsonText(key, raw));
    }
    return (field) => found.get(field);
  }
}

/**
 * A JSON value as field text. Strings pass through; numbers are written back in their shortest form,
 * which is what the writer meant for any decimal of up to 15 significant digits (decimal strings
 * are safer and preferred). Exponent form is expanded without a float step.
 */
function jsonText(key: string, raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return toPlainDecimal(String(raw)) ?? String(raw);
  if (typeof raw === 'boolean') return String(raw);
  throw new RowFault(key, `${clip(JSON.stringify(raw) ?? String(raw))} is not a string or number`);
}

function parseSide(raw: string | undefined): Side | undefined {
  if (raw === undefined || raw === '') return undefined;
  switch (raw.toUpperCase()) {
    case 'BUY':
    case 'B':
      return 'BUY';
    case 'SELL':
    case 'S':
      return 'SELL';
    default:
      throw new RowFault('side', `${JSON.stringify(clip(raw))} is not BUY or SELL`);
  }
}

function buildQuote(get: Lookup<QuoteField>, line: number): QuoteTick {
  const time = parseTimestamp('time', get('time'));
  const bidPrice = parsePriceField('bidPrice', get('bidPrice'));
  const bidQty = parseQtyField('bidQty', get('bidQty'));
  const askPrice = parsePriceField('askPrice', get('askPrice'));
  const askQty = parseQtyField('askQty', get('askQty'));
  // A locked book (bid = ask) can be real; a crossed one in recorded data is a recording fault.
  if (bidPrice.value.gt(askPrice.value)) {
    throw new RowFault('bidPrice', `${bidPrice.text} is above askPrice ${askPrice.text} (crossed quote)`);
  }
  return {
    time,
    line,
    bidPrice: bidPrice.text,
    bidQty: bidQty.text,
    askPrice: askPrice.text,
    askQty: askQty.text,
    bidPriceNum: bidPrice.num,
    bidQtyNum: bidQty.num,
    askPriceNum: askPrice.num,
    askQtyNum: askQty.num,
  };
}

function buildTrade(get: Lookup<TradeField>, line: number): TradeTick {
  const time = parseTimestamp('time', get('time'));
  const price = parsePriceField('price', get('price'));
  const qty = parseQtyField('qty', get('qty'));
  if (qty.value.isZero()) throw new RowFault('qty', 'is zero: a trade moves some quantity');
  const side = parseSide(get('side'));
  const id = get('id');
  const tick: TradeTick = { time, line, price: price.text, qty: qty.text, priceNum: price.num, qtyNum: qty.num };
  return {
    ...tick,
    ...(side === undefined ? {} : { side }),
    ...(id === undefined || id === '' ? {} : { id }),
  };
}

/**
 * Reads quote ticks (time, bid price and size, ask price and size) from CSV or NDJSON. Column and key
 * names are matched loosely (`bid`, `bid_price`, `bidPrice`; `bid_size`, `bidQty`, …). Crossed quotes
 * and time going backwards are bad rows.
 */
export function readQuoteTicks(source: DataSource, options: TickReadOptions = {}): RowStream<QuoteTick> {
  return new RowStream(
    source,
    (name) => new TickParser(name, QUOTE_ALIASES, QUOTE_REQUIRED, buildQuote, options),
    options,
  );
}

/** Reads trade ticks (time, price, qty, optional aggressor side and id) from CSV or NDJSON. */
export function readTradeTicks(source: DataSource, options: TickReadOptions = {}): RowStream<TradeTick> {
  return new RowStream(
    source,
    (name) => new TickParser(name, TRADE_ALIASES, TRADE_REQUIRED, buildTrade, options),
    options,
  );
}
