// Where the unrealised P&L gauge marks positions: the mid of the latest top of book the market-data
// gateway keeps in Redis (MarketSnapshot at `<prefix><venue>:<venueSymbol>`), read at scrape time
// for the instruments with an open position only. A mark is given only while the gateway says the
// feed is live and both sides of the book are there; otherwise the instrument has no mark and the
// gauge leaves its series out rather than show a value made from a doubtful price.

import { MarketSnapshot, marketSnapshotKey } from '@bourse/contracts';
import { dec, type Decimal } from '@bourse/domain';
import type { Redis } from 'ioredis';

/** The latest mid of an instrument, or undefined when no trustworthy one is at hand. */
export interface MarkSource {
  mid(venue: string, venueSymbol: string): Promise<Decimal | undefined>;
}

export interface RedisMarksOptions {
  readonly redis: Pick<Redis, 'get'>;
  /** The gateway's key prefix, e.g. `bourse:md:`. */
  readonly prefix: string;
}

const HALF = dec('0.5');

export class RedisMarks implements MarkSource {
  constructor(private readonly o: RedisMarksOptions) {}

  async mid(venue: string, venueSymbol: string): Promise<Decimal | undefined> {
    const text = await this.o.redis.get(marketSnapshotKey(this.o.prefix, venue, venueSymbol));
    if (text === null) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = MarketSnapshot.safeParse(raw);
    if (!parsed.success) return undefined;
    const doc = parsed.data;
    if (doc.venue !== venue || doc.venueSymbol !== venueSymbol || doc.feed.state !== 'live' || doc.top === null)
      return undefined;
    const bid = dec(doc.top.bidPrice);
    const ask = dec(doc.top.askPrice);
    return bid.isPositive() && ask.isPositive() ? bid.plus(ask).times(HALF) : undefined;
  }
}
