// The `./testing` entry (`@bourse/market-feed/testing`), for tests of this package and of the
// packages that consume market data: capture fixtures, and a quote feed that puts a venue's market
// data on core NATS the way the market-data gateway does, without starting the gateway service.
import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade, type Subjects, type VenueId } from '@bourse/contracts';
import type { Bus, Contract } from '@bourse/bus';
import type { MarketDataChannel, MarketDataFeed } from '@bourse/venues';
import { FeedPipeline } from './feed-pipeline.js';
import type { Clock, GatewayInstrument, NormalisedKind, NormalisedMessage } from './types.js';

export { BTC_SPEC, tradeFrame, quoteFrame, depthFrame } from './capture/capture-fixtures.js';

const CONTRACTS = {
  quote: { name: 'Quote', schema: Quote },
  trade: { name: 'Trade', schema: Trade },
  book: { name: 'BookSnapshot', schema: BookSnapshot },
  bookdelta: { name: 'BookDelta', schema: BookDelta },
  status: { name: 'FeedStatus', schema: FeedStatus },
} as const satisfies Record<NormalisedKind, Contract>;

export interface QuoteFeedOptions {
  readonly venue: VenueId;
  readonly feed: MarketDataFeed;
  /** Where the messages go, under `md.<venue>.<venueSymbol>.<kind>` of the bus's subjects. */
  readonly bus: Bus;
  readonly instruments: readonly GatewayInstrument[];
  /** Channels subscribed for every instrument. */
  readonly channels: readonly MarketDataChannel[];
  /** Receive time of each event; the wall clock by default. */
  readonly clock?: Clock;
  /** Staleness is judged only on the next event (no timer here); 60 s by default. */
  readonly staleAfterMs?: number;
}

export interface QuoteFeed {
  /** Venue events the pipeline refused (contract or instrument); a test usually expects none. */
  readonly rejected: readonly Error[];
  /** Stops listening to the feed; the feed stays open (its owner closes it). */
  stop(): void;
}

/**
 * The gateway's path from a venue feed to core NATS, for consumers' tests (the strategy runner's
 * end-to-end test): each event through the same `FeedPipeline` as the gateway, each resulting quote,
 * trade, book, delta and feed status published under the subject and contract the gateway uses.
 * Not the gateway: no Redis snapshots, no recorder, no metrics, no staleness timer, no reset after
 * a NATS outage (services/market-data's own tests cover those).
 */
export async function startQuoteFeed(options: QuoteFeedOptions): Promise<QuoteFeed> {
  const clock = options.clock ?? { now: () => Date.now() };
  const pipeline = new FeedPipeline({
    venue: options.venue,
    instruments: options.instruments,
    staleAfterMs: options.staleAfterMs ?? 60_000,
    startedAt: clock.now(),
  });
  const rejected: Error[] = [];
  const publish = (m: NormalisedMessage) =>
    options.bus.publish(subjectOf(options.bus.subjects, m), CONTRACTS[m.kind] as Contract, m.message);
  const off = options.feed.on((event) => {
    for (const step of pipeline.onEvent(event)) {
      if (step.type === 'message') publish(step.message);
      else if (step.type === 'transition') publish(pipeline.statusMessage(step.transition));
      else rejected.push(step.error);
    }
  });
  await options.feed.subscribe(
    options.instruments.flatMap((i) => options.channels.map((channel) => ({ symbol: i.instrument, channel }))),
  );
  return { rejected, stop: off };
}

function subjectOf(subjects: Subjects, m: NormalisedMessage): string {
  const md = subjects.md;
  switch (m.kind) {
    case 'quote':
      return md.quote(m.venue, m.venueSymbol);
    case 'trade':
      return md.trade(m.venue, m.venueSymbol);
    case 'book':
      return md.book(m.venue, m.venueSymbol);
    case 'bookdelta':
      return md.bookDelta(m.venue, m.venueSymbol);
    case 'status':
      return md.feedStatus(m.venue, m.venueSymbol);
  }
}
