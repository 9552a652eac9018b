import type { Redis } from 'ioredis';
import { Quote } from '@bourse/contracts';
import { describeError } from './errors.js';
import type { InstrumentRef } from './types.js';

/** Where the market-data gateway keeps the latest top of book of an instrument (JSON `Quote`). */
export function quoteSnapshotKey(prefix: string, venue: string, venueSymbol: string): string {
  return `${prefix}:quote:${venue}:${venueSymbol}`;
}

/** Latest quotes written by the market-data gateway, read when the runner takes an instrument on. */
export interface QuoteSnapshots {
  /** The snapshot, or undefined when there is none or it is unreadable (reported through onInvalid). */
  latestQuote(ref: InstrumentRef): Promise<Quote | undefined>;
}

/**
 * Reads `<prefix>:quote:<venue>:<VENUESYMBOL>` (a `Quote` as JSON, the contract the gateway publishes
 * on NATS). A missing key is normal (the gateway has not written yet); a malformed one is reported and
 * ignored: warm-up is an optimisation, never a reason to trade on doubtful data.
 */
export class RedisQuoteSnapshots implements QuoteSnapshots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onInvalid: (key: string, reason: string) => void = () => undefined,
  ) {}

  async latestQuote(ref: InstrumentRef): Promise<Quote | undefined> {
    const key = quoteSnapshotKey(this.prefix, ref.venue, ref.venueSymbol);
    let text: string | null;
    try {
      text = await this.redis.get(key);
    } catch (err) {
      this.onInvalid(key, `read failed: ${describeError(err)}`);
      return undefined;
    }
    if (text === null) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      this.onInvalid(key, `malformed JSON: ${describeError(err)}`);
      return undefined;
    }
    const parsed = Quote.safeParse(raw);
    if (!parsed.success) {
      this.onInvalid(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return undefined;
    }
    if (parsed.data.venue !== ref.venue || parsed.data.instrument !== ref.symbol) {
      this.onInvalid(key, `holds a quote of ${parsed.data.venue} ${parsed.data.instrument}`);
      return undefined;
    }
    return parsed.data;
  }
}
