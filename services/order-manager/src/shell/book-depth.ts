// The far side of the book for the market fallback's depth and slippage guards, from the document
// the market-data gateway keeps in Redis (MarketSnapshot at `<prefix><venue>:<venueSymbol>`, its
// `depth` holding the top levels of the local book). Without it the guards see only the touch size
// on the quote, and a fallback bigger than the touch would be priced as if the touch were unlimited.
// The book is read only while the gateway says the feed is live and the depth is recent; otherwise
// the guards get nothing (and fall back to the touch), never a doubtful book.

import { MarketSnapshot, marketSnapshotKey, type BookLevel, type Side } from '@bourse/contracts';
import type { Redis } from 'ioredis';

/** The far side (asks for a BUY, bids for a SELL), best first; no levels when no usable book is at hand. */
export interface FarSideRead {
  readonly levels: readonly BookLevel[] | undefined;
  /** Why a document that is there could not be used (unreadable, malformed, another instrument's). */
  readonly problem?: string;
}

/** Where a chase's far-side depth comes from. */
export interface BookDepthSource {
  farSide(venue: string, venueSymbol: string, side: Side, now: number): Promise<FarSideRead>;
}

export interface RedisBookDepthOptions {
  readonly redis: Pick<Redis, 'get'>;
  /** The gateway's key prefix, e.g. `bourse:md:`. */
  readonly prefix: string;
  /** A depth received longer ago than this is not used (default 5 s). */
  readonly maxAgeMs?: number;
}

const DEFAULT_MAX_AGE_MS = 5_000;

export class RedisBookDepth implements BookDepthSource {
  constructor(private readonly o: RedisBookDepthOptions) {}

  async farSide(venue: string, venueSymbol: string, side: Side, now: number): Promise<FarSideRead> {
    const key = marketSnapshotKey(this.o.prefix, venue, venueSymbol);
    const invalid = (reason: string): FarSideRead => ({ levels: undefined, problem: `${key} ${reason}` });
    const none: FarSideRead = { levels: undefined };
    let text: string | null;
    try {
      text = await this.o.redis.get(key);
    } catch (err) {
      return invalid(`read failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (text === null) return none; // the gateway has not written this instrument (yet)
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return invalid('malformed JSON');
    }
    const parsed = MarketSnapshot.safeParse(raw);
    if (!parsed.success) {
      return invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const doc = parsed.data;
    if (doc.venue !== venue || doc.venueSymbol !== venueSymbol) {
      return invalid(`holds a snapshot of ${doc.venue} ${doc.venueSymbol}`);
    }
    const depth = doc.depth;
    if (doc.feed.state !== 'live' || depth === null) return none;
    if (now - depth.receivedAt > (this.o.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return none;
    return { levels: side === 'BUY' ? depth.asks : depth.bids };
  }
}
