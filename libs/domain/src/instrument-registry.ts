import type { InstrumentSymbol } from '@bourse/contracts';
import { InvalidArgumentError, UnknownInstrumentError } from './errors.js';
import type { InstrumentSpec } from './instrument.js';

// The one place that knows how a venue spells an instrument and what its trading rules are.
// One registry per venue: internal symbols are venue-neutral, so `BTC/USDT` on two venues are two
// specs with different rules, and mixing them in one map would let one venue's tick size leak
// into the other's orders.

/** How a venue writes `BASE/QUOTE`: `BTCUSDT`, `BTC-USDT`, `BTC_USDT` or `BTC/USDT`. */
export type VenueSymbolFormat = 'concat' | 'dash' | 'underscore' | 'slash';

const SEPARATORS: Record<VenueSymbolFormat, string> = { concat: '', dash: '-', underscore: '_', slash: '/' };

/** Writes base and quote in a venue's format, upper-case; never throws. */
export function formatVenueSymbol(base: string, quote: string, format: VenueSymbolFormat): string {
  return `${base}${SEPARATORS[format]}${quote}`.toUpperCase();
}

/** Splits a delimited venue symbol (`BTC-USDT`) into base and quote; throws InvalidArgumentError for `concat` (ambiguous: use the registry) or a malformed text. */
export function parseVenueSymbol(text: string, format: VenueSymbolFormat): { base: string; quote: string } {
  if (format === 'concat') {
    throw new InvalidArgumentError(
      'format',
      format,
      'cannot be split without metadata; look the symbol up in the registry',
    );
  }
  const parts = text.toUpperCase().split(SEPARATORS[format]);
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new InvalidArgumentError('venue symbol', text, `is not BASE${SEPARATORS[format]}QUOTE`);
  }
  return { base: parts[0], quote: parts[1] };
}

/** Instrument specs of one venue, by internal symbol and by venue symbol. */
export class InstrumentRegistry {
  private readonly bySymbol = new Map<string, InstrumentSpec>();
  private readonly byVenue = new Map<string, InstrumentSpec>();

  /** Throws InvalidArgumentError on a spec of another venue or a duplicate (as replaceAll). */
  constructor(
    readonly venue: string,
    specs: Iterable<InstrumentSpec> = [],
  ) {
    this.replaceAll(specs);
  }

  /** Replaces every spec at once (a fresh exchangeInfo); throws InvalidArgumentError on a spec of another venue or a duplicate, leaving the registry unchanged. */
  replaceAll(specs: Iterable<InstrumentSpec>): void {
    const bySymbol = new Map<string, InstrumentSpec>();
    const byVenue = new Map<string, InstrumentSpec>();
    for (const spec of specs) {
      this.check(spec);
      const venueKey = spec.venueSymbol.toUpperCase();
      if (bySymbol.has(spec.symbol) || byVenue.has(venueKey)) {
        throw new InvalidArgumentError('instrument', spec.symbol, `is listed twice for venue ${this.venue}`);
      }
      bySymbol.set(spec.symbol, spec);
      byVenue.set(venueKey, spec);
    }
    this.swap(bySymbol, byVenue);
  }

  /** Adds or replaces one spec; throws InvalidArgumentError on a spec of another venue or a venue symbol already used by another instrument. */
  upsert(spec: InstrumentSpec): void {
    this.check(spec);
    const venueKey = spec.venueSymbol.toUpperCase();
    const clash = this.byVenue.get(venueKey);
    if (clash && clash.symbol !== spec.symbol) {
      throw new InvalidArgumentError('venue symbol', spec.venueSymbol, `already belongs to ${clash.symbol}`);
    }
    const previous = this.bySymbol.get(spec.symbol);
    if (previous) this.byVenue.delete(previous.venueSymbol.toUpperCase());
    this.bySymbol.set(spec.symbol, spec);
    this.byVenue.set(venueKey, spec);
  }

  /** The spec of an internal symbol (`BTC/USDT`), or undefined; never throws. */
  get(symbol: InstrumentSymbol | string): InstrumentSpec | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The spec of an internal symbol; throws UnknownInstrumentError when absent. */
  require(symbol: InstrumentSymbol | string): InstrumentSpec {
    const spec = this.bySymbol.get(symbol);
    if (!spec) throw new UnknownInstrumentError('symbol', symbol);
    return spec;
  }

  /** The spec of a venue symbol, case-insensitive (`BTCUSDT`, `btcusdt` from a stream name), or undefined; never throws. */
  byVenueSymbol(venueSymbol: string): InstrumentSpec | undefined {
    return this.byVenue.get(venueSymbol.toUpperCase());
  }

  /** Internal symbol → venue symbol; throws UnknownInstrumentError when absent. */
  toVenueSymbol(symbol: InstrumentSymbol | string): string {
    return this.require(symbol).venueSymbol;
  }

  /** Venue symbol → internal symbol (case-insensitive); throws UnknownInstrumentError when absent. */
  toInternalSymbol(venueSymbol: string): InstrumentSymbol {
    const spec = this.byVenueSymbol(venueSymbol);
    if (!spec) throw new UnknownInstrumentError('venue symbol', venueSymbol);
    return spec.symbol;
  }

  /** Every spec, in internal-symbol order; never throws. */
  list(): InstrumentSpec[] {
    return [...this.bySymbol.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  get size(): number {
    return this.bySymbol.size;
  }

  private check(spec: InstrumentSpec): void {
    if (spec.venue !== this.venue) {
      throw new InvalidArgumentError(
        'instrument venue',
        spec.venue,
        `does not match the registry's venue ${this.venue}`,
      );
    }
  }

  private swap(bySymbol: Map<string, InstrumentSpec>, byVenue: Map<string, InstrumentSpec>): void {
    this.bySymbol.clear();
    this.byVenue.clear();
    for (const [k, v] of bySymbol) this.bySymbol.set(k, v);
    for (const [k, v] of byVenue) this.byVenue.set(k, v);
  }
}
