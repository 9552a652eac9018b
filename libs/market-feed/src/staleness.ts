import type { FeedState, FeedStatus, InstrumentSymbol, VenueId } from '@bourse/contracts';
import type { ConnectionStateChange } from '@bourse/venues';
import { InvalidOptionError } from './errors.js';
import type { FeedChangeCause, FeedTransition, GatewayInstrument } from './types.js';

// The gateway's word on each instrument's feed: live, stale (silent for too long) or reset (the
// connection dropped or the book had a gap, so consumers may have missed something). One status
// per change, never one per tick: a stale episode yields `stale` once and `live` when data resumes.
//
// Pure: time comes in with every call. The shell calls `check(now)` on a timer.

export interface FeedMonitorOptions {
  venue: VenueId;
  instruments: readonly GatewayInstrument[];
  /** No data for this long (receive time) makes an instrument stale. */
  staleAfterMs: number;
  /** When watching began: an instrument that never receives anything goes stale this long after. */
  startedAt: number;
}

/** What the monitor knows of one instrument. */
export interface InstrumentFeedView {
  readonly state: FeedState | 'starting';
  readonly reason: string | undefined;
  readonly changedAt: number;
  readonly lastMessageAt: number | undefined;
  /** The adapter reported a book gap and has not finished rebuilding. */
  readonly bookResyncing: boolean;
}

interface InstrumentFeed {
  readonly info: GatewayInstrument;
  state: FeedState | 'starting';
  reason: string | undefined;
  changedAt: number;
  lastMessageAt: number | undefined;
  /** Start of the current silence: the later of the last message and the last reset (or start). */
  quietSince: number;
  /** Data arrived since the last transition away from live: a condition for going live again. */
  dataSinceChange: boolean;
  bookResyncing: boolean;
}

export class FeedMonitor {
  readonly #venue: VenueId;
  readonly #staleAfterMs: number;
  readonly #feeds = new Map<string, InstrumentFeed>();

  constructor(options: FeedMonitorOptions) {
    if (!Number.isInteger(options.staleAfterMs) || options.staleAfterMs <= 0) {
      throw new InvalidOptionError('staleAfterMs', options.staleAfterMs, 'a positive integer (ms)');
    }
    this.#venue = options.venue;
    this.#staleAfterMs = options.staleAfterMs;
    for (const info of options.instruments) {
      this.#feeds.set(info.instrument, {
        info,
        state: 'starting',
        reason: undefined,
        changedAt: options.startedAt,
        lastMessageAt: undefined,
        quietSince: options.startedAt,
        dataSinceChange: false,
        bookResyncing: false,
      });
    }
  }

  /** A quote, trade or book message for `instrument` was received at `at`. */
  onData(instrument: InstrumentSymbol, at: number): FeedTransition[] {
    const feed = this.#feeds.get(instrument);
    if (feed === undefined) return [];
    feed.lastMessageAt = feed.lastMessageAt === undefined ? at : Math.max(feed.lastMessageAt, at);
    feed.quietSince = Math.max(feed.quietSince, at);
    feed.dataSinceChange = true;
    return this.#settle(feed, at);
  }

  /**
   * The adapter's own status of a book: `reset` means a sequence gap (the book is being rebuilt),
   * `live` that it is rebuilt. Its `stale` (connection lost) is covered by `onConnection`.
   */
  onVenueStatus(status: FeedStatus): FeedTransition[] {
    if (status.instrument === undefined) return [];
    const feed = this.#feeds.get(status.instrument);
    if (feed === undefined) return [];
    const at = status.changedAt;
    switch (status.state) {
      case 'reset': {
        feed.bookResyncing = true;
        if (feed.state === 'reset') return [];
        feed.quietSince = Math.max(feed.quietSince, at);
        return [this.#move(feed, 'reset', status.reason ?? 'sequence gap', at, 'gap')];
      }
      case 'live':
        feed.bookResyncing = false;
        return this.#settle(feed, at);
      case 'stale':
        return [];
    }
  }

  /** A dropped venue connection resets every instrument: whatever was sent meanwhile is lost. */
  onConnection(change: ConnectionStateChange): FeedTransition[] {
    if (change.state !== 'reconnecting') return [];
    const out: FeedTransition[] = [];
    const reason = `connection lost${change.reason ? `: ${change.reason}` : ''}`;
    for (const feed of this.#feeds.values()) {
      feed.quietSince = Math.max(feed.quietSince, change.time);
      if (feed.state === 'reset') {
        feed.dataSinceChange = false;
        continue;
      }
      out.push(this.#move(feed, 'reset', reason, change.time, 'reconnect'));
    }
    return out;
  }

  /** Instruments silent for longer than the interval become stale, once per episode. */
  check(now: number): FeedTransition[] {
    const out: FeedTransition[] = [];
    for (const feed of this.#feeds.values()) {
      if (feed.state === 'stale') continue;
      const silentFor = now - feed.quietSince;
      if (silentFor < this.#staleAfterMs) continue;
      const reason =
        feed.lastMessageAt === undefined
          ? `no market data since start (${silentFor} ms)`
          : `no market data for ${silentFor} ms (limit ${this.#staleAfterMs} ms)`;
      out.push(this.#move(feed, 'stale', reason, now, 'silence'));
    }
    return out;
  }

  view(instrument: InstrumentSymbol): InstrumentFeedView | undefined {
    const feed = this.#feeds.get(instrument);
    if (feed === undefined) return undefined;
    return {
      state: feed.state,
      reason: feed.reason,
      changedAt: feed.changedAt,
      lastMessageAt: feed.lastMessageAt,
      bookResyncing: feed.bookResyncing,
    };
  }

  /** Goes live (or back to reset while the book is still being rebuilt) once data has resumed. */
  #settle(feed: InstrumentFeed, at: number): FeedTransition[] {
    if (feed.state === 'live' && !feed.bookResyncing) return [];
    if (!feed.dataSinceChange) return [];
    if (feed.bookResyncing) {
      if (feed.state === 'reset') return [];
      return [this.#move(feed, 'reset', 'order book being rebuilt after a sequence gap', at, 'gap')];
    }
    return [this.#move(feed, 'live', undefined, at, feed.state === 'starting' ? 'first-data' : 'resumed')];
  }

  #move(
    feed: InstrumentFeed,
    state: FeedState,
    reason: string | undefined,
    at: number,
    cause: FeedChangeCause,
  ): FeedTransition {
    const from = feed.state;
    feed.state = state;
    feed.reason = reason;
    feed.changedAt = at;
    if (state !== 'live') feed.dataSinceChange = false;
    const status: FeedStatus = {
      v: 1,
      venue: this.#venue,
      instrument: feed.info.instrument,
      state,
      ...(reason !== undefined ? { reason } : {}),
      ...(feed.lastMessageAt !== undefined ? { lastMessageAt: feed.lastMessageAt } : {}),
      changedAt: at,
    };
    return { instrument: feed.info.instrument, venueSymbol: feed.info.venueSymbol, from, status, cause };
  }
}
