import type { Redis } from 'ioredis';
import { MarketSnapshot, Quote, marketSnapshotKey } from '@bourse/contracts';
import { describeError } from './errors.js';
import type { InstrumentRef } from './types.js';

/** Latest quotes written by the market-data gateway, read when the runner takes an instrument on. */
export interface QuoteSnapshots {
  /** The snapshot, or undefined when there is none or it is unreadable (reported through onInvalid). */
  latestQuote(ref: InstrumentRef): Promise<Quote | undefined>;
}

/**
 * Reads the market-data gateway's snapshot document (`MarketSnapshot` at `<prefix><venue>:<SYMBOL>`,
 * e.g. `bourse:md:binance:BTCUSDT`) and takes its top of book as the latest quote, only while the
 * gateway reports the feed live. A missing key is normal (the gateway has not written yet); a
 * malformed one is reported and ignored: warm-up is an optimisation, never a reason to trade on
 * doubtful data.
 */
export class RedisQuoteSnapshots implements QuoteSnapshots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onInvalid: (key: string, reason: string) => void = () => undefined,
  ) {}

  async latestQuote(ref: InstrumentRef): Promise<Quote | undefined> {
    const key = marketSnapshotKey(this.prefix, ref.venue, ref.venueSymbol);
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
    const parsed = MarketSnapshot.safeParse(raw);
    if (!parsed.success) {
      this.onInvalid(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return undefined;
    }
    const doc = parsed.data;
    if (doc.venue !== ref.venue || doc.instrument !== ref.symbol) {
      this.onInvalid(key, `holds a snapshot of ${doc.venue} ${doc.instrument}`);
      return undefined;
    }
    // A stale or resetting feed's top of book is exactly the doubtful data not to start from.
    if (doc.feed.state !== 'live' || doc.top === null) return undefined;
    const top = doc.top;
    const quote = Quote.safeParse({
      v: 1,
      venue: doc.venue,
      instrument: doc.instrument,
      bidPrice: top.bidPrice,
      bidQty: top.bidQty,
      askPrice: top.askPrice,
      askQty: top.askQty,
      ...(top.updateId !== undefined ? { updateId: top.updateId } : {}),
      ...(top.venueTime !== undefined ? { venueTime: top.venueTime } : {}),
      receivedAt: top.receivedAt,
    });
    if (!quote.success) {
      this.onInvalid(key, quote.error.issues.map((i) => `top.${i.path.join('.')}: ${i.message}`).join('; '));
      return undefined;
    }
    return quote.data;
  }
}
