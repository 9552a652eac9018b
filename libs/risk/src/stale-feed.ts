import type { FeedStatus } from '@bourse/contracts';

// The "stale feed" kill-switch trigger, per instrument. The market-data gateway publishes one
// FeedStatus per change (`stale` after its own silence bound, `reset` on a reconnect or a book gap,
// `live` when data flows again). An instrument whose feed reported `stale` and has not been `live`
// since for longer than the bound is halted, once per episode; a `live` before the bound ends the
// episode. A `reset` alone starts nothing (a reconnect rebuilds the book within moments), but it
// does not end a stale episode either: the feed is still not live.
//
// Pure: time comes in with every call. The shell feeds statuses as they arrive and calls
// `evaluate(now)` from its kill-switch timer. The episode starts when the gate *received* `stale`,
// not at the gateway's `changedAt`: another process's clock, and a delayed message, must not make
// the bound shorter. Resuming an instrument stays an operator act; `live` only re-arms the trigger.

/** A stale episode that outlived its bound: what the kill switch writes for the instrument. */
export interface StaleFeedTrip {
  readonly venueSymbol: string;
  readonly instrument: string;
  readonly notLiveForMs: number;
  readonly haltAfterMs: number;
  readonly reason: string;
}

interface Episode {
  readonly instrument: string;
  /** When `stale` was received; undefined while live (or never stale). */
  staleSince: number | undefined;
  /** The gateway's reason for the latest not-live status. */
  reason: string;
  /** The episode already tripped: once per episode. */
  tripped: boolean;
  /** `changedAt` of the latest status taken, to drop one that arrives out of order. */
  changedAt: number;
}

export type FeedStatusOutcome = 'started' | 'continued' | 'ended' | 'ignored';

export class StaleFeedWatch {
  private readonly feeds = new Map<string, Episode>();

  /**
   * Takes one FeedStatus of the instrument `instrument` (`BTC/USDT`), whose venue symbol
   * (`BTCUSDT`) names its trading-state scope, received at `now`.
   */
  onFeedStatus(venueSymbol: string, instrument: string, status: FeedStatus, now: number): FeedStatusOutcome {
    const held = this.feeds.get(venueSymbol);
    if (held !== undefined && status.changedAt < held.changedAt) return 'ignored';
    const feed = held ?? { instrument, staleSince: undefined, reason: '', tripped: false, changedAt: status.changedAt };
    this.feeds.set(venueSymbol, feed);
    feed.changedAt = status.changedAt;
    switch (status.state) {
      case 'live': {
        const wasStale = feed.staleSince !== undefined;
        feed.staleSince = undefined;
        feed.tripped = false;
        return wasStale ? 'ended' : 'ignored';
      }
      case 'stale':
        feed.reason = status.reason ?? 'stale';
        if (feed.staleSince !== undefined) return 'continued';
        feed.staleSince = now;
        return 'started';
      case 'reset':
        if (feed.staleSince === undefined) return 'ignored';
        feed.reason = status.reason ?? 'reset';
        return 'continued';
    }
  }

  /**
   * Episodes not live for longer than their bound at `now`, each once. `haltAfterMs(instrument)`
   * gives the bound (0 = off; an episode under a bound turned off does not trip).
   */
  evaluate(now: number, haltAfterMs: (instrument: string) => number): StaleFeedTrip[] {
    const trips: StaleFeedTrip[] = [];
    for (const [venueSymbol, feed] of this.feeds) {
      if (feed.staleSince === undefined || feed.tripped) continue;
      const bound = haltAfterMs(feed.instrument);
      const notLiveForMs = now - feed.staleSince;
      if (bound <= 0 || notLiveForMs <= bound) continue;
      feed.tripped = true;
      trips.push({
        venueSymbol,
        instrument: feed.instrument,
        notLiveForMs,
        haltAfterMs: bound,
        reason:
          `stale feed: market data of ${feed.instrument} not live for ${notLiveForMs} ms since it went stale ` +
          `(limit ${bound} ms); feed: ${feed.reason}`,
      });
    }
    return trips;
  }

  /** When the current stale episode of an instrument began (receipt time), if one is running. */
  staleSince(venueSymbol: string): number | undefined {
    return this.feeds.get(venueSymbol)?.staleSince;
  }
}
