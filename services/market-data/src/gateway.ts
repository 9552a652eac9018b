import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade, type Subjects, type VenueId } from '@bourse/contracts';
import type { Bus, Contract } from '@bourse/bus';
import type { Logger } from '@bourse/telemetry';
import type { MarketDataChannel, MarketDataEvent, MarketDataFeed, Unsubscribe } from '@bourse/venues';
import {
  FeedPipeline,
  InstrumentSnapshot,
  InvalidOptionError,
  toCaptureLine,
  type Clock,
  type FeedTransition,
  type GatewayInstrument,
  type NormalisedKind,
  type NormalisedMessage,
  type PipelineStep,
} from '@bourse/market-feed';
import { FEED_STATE_VALUE, type MarketDataMetrics } from './shell/metrics.js';
import type { FrameRecorder } from './shell/recorder.js';
import type { RedisSnapshotWriter } from './shell/redis-snapshots.js';

// The gateway's shell: venue feed → normalise → core NATS (md.<venue>.<symbol>.<kind>), Redis
// snapshots and the recorder; the feed monitor's changes go out as FeedStatus on the status
// subject. Everything per event is synchronous and O(1): publishes are buffered by the NATS
// client, snapshots are only marked dirty, frames are queued with a byte cap. Logs are a periodic
// summary plus one line per feed state change, never one per event.

const CONTRACTS = {
  quote: { name: 'Quote', schema: Quote },
  trade: { name: 'Trade', schema: Trade },
  book: { name: 'BookSnapshot', schema: BookSnapshot },
  bookdelta: { name: 'BookDelta', schema: BookDelta },
  status: { name: 'FeedStatus', schema: FeedStatus },
} as const satisfies Record<NormalisedKind, Contract>;

export interface MarketDataGatewayOptions {
  venue: VenueId;
  feed: MarketDataFeed;
  bus: Bus;
  instruments: readonly GatewayInstrument[];
  /** Channels subscribed for every instrument. */
  channels: readonly MarketDataChannel[];
  clock: Clock;
  logger: Logger;
  metrics: MarketDataMetrics;
  /** No data for this long makes an instrument stale. */
  staleAfterMs: number;
  /** How often staleness is checked. */
  staleCheckMs: number;
  /** How often the summary line is logged. */
  summaryIntervalMs: number;
  /** Redis snapshots; none when absent. */
  snapshots?: RedisSnapshotWriter;
  /** Raw-frame capture; off when absent. Needs a feed that offers `onRawFrame`. */
  recorder?: FrameRecorder;
}

interface Summary {
  published: Record<NormalisedKind, number>;
  rejected: number;
  lastRejection: string | undefined;
  publishErrors: number;
  transitions: number;
}

const emptySummary = (): Summary => ({
  published: { quote: 0, trade: 0, book: 0, bookdelta: 0, status: 0 },
  rejected: 0,
  lastRejection: undefined,
  publishErrors: 0,
  transitions: 0,
});

export class MarketDataGateway {
  readonly #o: MarketDataGatewayOptions;
  readonly #subjects: Subjects;
  readonly #pipeline: FeedPipeline;
  readonly #snapshots = new Map<string, InstrumentSnapshot>();
  readonly #log: Logger;
  #off: Unsubscribe | undefined;
  #offRaw: Unsubscribe | undefined;
  #offBus: (() => void) | undefined;
  /** Publishes dropped since the bus lost its connection; a reset goes out when it is back. */
  #droppedWhileDisconnected = 0;
  #timers: NodeJS.Timeout[] = [];
  #summary = emptySummary();
  #stopped = false;

  constructor(options: MarketDataGatewayOptions) {
    if (options.instruments.length === 0) throw new InvalidOptionError('instruments', '[]', 'at least one instrument');
    if (options.channels.length === 0) throw new InvalidOptionError('channels', '[]', 'at least one channel');
    for (const key of ['staleCheckMs', 'summaryIntervalMs'] as const) {
      if (!Number.isInteger(options[key]) || options[key] <= 0) {
        throw new InvalidOptionError(key, options[key], 'a positive integer (ms)');
      }
    }
    if (options.recorder !== undefined && options.feed.onRawFrame === undefined) {
      throw new InvalidOptionError('recorder', 'set', 'absent: this venue feed offers no raw frames to capture');
    }
    this.#o = options;
    this.#subjects = options.bus.subjects;
    this.#log = options.logger.child({ component: 'gateway', venue: options.venue });
    this.#pipeline = new FeedPipeline({
      venue: options.venue,
      instruments: options.instruments,
      staleAfterMs: options.staleAfterMs,
      startedAt: options.clock.now(),
    });
    for (const info of options.instruments) {
      // Subject tokens are checked now, so a bad symbol fails at start rather than on the first tick.
      this.#subjects.md.quote(options.venue, info.venueSymbol);
      const snapshot = new InstrumentSnapshot(options.venue, info);
      this.#snapshots.set(info.instrument, snapshot);
      options.snapshots?.register({
        key: options.snapshots.keyOf(info.venueSymbol),
        snapshot,
        book: (levels) => options.feed.book(info.instrument, levels),
      });
      options.metrics.feedState.set({ venue: options.venue, symbol: info.venueSymbol }, FEED_STATE_VALUE.starting);
    }
  }

  /** Listens to the feed, subscribes every instrument and channel, and starts the timers. */
  async start(): Promise<void> {
    const recorder = this.#o.recorder;
    // Raw frames reach the recorder before they are decoded, so the capture holds what the venue sent.
    if (recorder !== undefined)
      this.#offRaw = this.#o.feed.onRawFrame?.((frame) => recorder.record(toCaptureLine(frame)));
    this.#off = this.#o.feed.on((event) => this.#onEvent(event));
    this.#offBus = this.#o.bus.onStatus((type) => {
      if (type === 'reconnect') this.#onBusReconnect();
    });
    const every = (ms: number, run: () => void) => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#o.staleCheckMs, () => this.#apply(this.#pipeline.check(this.#o.clock.now())));
    every(this.#o.summaryIntervalMs, () => this.#logSummary());
    this.#o.snapshots?.start();
    await this.#o.feed.subscribe(
      this.#o.instruments.flatMap((i) => this.#o.channels.map((channel) => ({ symbol: i.instrument, channel }))),
    );
    this.#log.debug(
      {
        instruments: this.#o.instruments.map((i) => i.venueSymbol),
        channels: this.#o.channels,
        recording: this.#o.recorder !== undefined,
        snapshots: this.#o.snapshots !== undefined,
      },
      'market-data gateway subscribed',
    );
  }

  /** Stops listening and the timers, writes the last snapshots and completes the recording. The feed stays open (its owner closes it). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#off?.();
    this.#offRaw?.();
    this.#offBus?.();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#logSummary();
    await this.#o.snapshots?.stop();
    await this.#o.recorder?.close();
  }

  #onEvent(event: MarketDataEvent): void {
    if (event.kind === 'connection') {
      // The first connect is start-up detail; every later change is news.
      const firstConnect = event.reason === 'start' || event.reason === 'first';
      this.#log[firstConnect ? 'debug' : 'info'](
        { state: event.state, reason: event.reason },
        'venue connection changed',
      );
    }
    this.#apply(this.#pipeline.onEvent(event));
  }

  #apply(steps: readonly PipelineStep[]): void {
    for (const step of steps) {
      switch (step.type) {
        case 'rejected':
          this.#o.metrics.rejected.inc({ venue: this.#o.venue, reason: step.reason });
          this.#summary.rejected += 1;
          this.#summary.lastRejection = step.error.message;
          break;
        case 'transition':
          this.#publishTransition(step.transition);
          break;
        case 'message': {
          const m = step.message;
          this.#publish(m);
          const snapshot = this.#snapshots.get(m.instrument);
          if (snapshot === undefined) break;
          if (m.kind === 'quote') snapshot.applyQuote(m.message);
          else if (m.kind === 'trade') snapshot.applyTrade(m.message);
          else if (m.kind === 'book' || m.kind === 'bookdelta') snapshot.applyBook(m.message);
          break;
        }
      }
    }
  }

  #publish(m: NormalisedMessage): void {
    const subject = this.#subjectOf(m.kind, m.venueSymbol);
    if (!this.#o.bus.isConnected()) {
      // nats.js would hold every publish in an unbounded buffer until it reconnects; market data
      // that old is worthless anyway. Drop, count, and reset the feeds once the bus is back.
      this.#droppedWhileDisconnected += 1;
      this.#o.metrics.publishErrors.inc({ venue: this.#o.venue, kind: m.kind });
      this.#summary.publishErrors += 1;
      return;
    }
    try {
      // The message was decoded against this contract in normalise; the bus checks it once more on send.
      this.#o.bus.publish(subject, CONTRACTS[m.kind] as Contract, m.message);
      this.#o.metrics.messages.inc({ venue: this.#o.venue, kind: m.kind });
      this.#summary.published[m.kind] += 1;
    } catch (err) {
      // Core NATS is at most once: a publish the client refuses (closed, buffer full while
      // reconnecting) is counted and dropped; consumers learn of gaps from FeedStatus and sequence ids.
      this.#o.metrics.publishErrors.inc({ venue: this.#o.venue, kind: m.kind });
      this.#summary.publishErrors += 1;
      if (this.#summary.publishErrors === 1) {
        this.#log.warn({ subject, err: err instanceof Error ? err.message : String(err) }, 'publish failed');
      }
    }
  }

  /** Consumers may have missed what was dropped while NATS was away: tell them with a reset. */
  #onBusReconnect(): void {
    const dropped = this.#droppedWhileDisconnected;
    this.#droppedWhileDisconnected = 0;
    this.#log.warn({ dropped }, 'NATS reconnected; resetting feeds');
    this.#apply(
      this.#pipeline.onLoss({
        kind: 'connection',
        state: 'reconnecting',
        reason: `NATS connection was lost; ${dropped} market-data messages were not published`,
        time: this.#o.clock.now(),
      }),
    );
  }

  #subjectOf(kind: NormalisedKind, venueSymbol: string): string {
    const md = this.#subjects.md;
    switch (kind) {
      case 'quote':
        return md.quote(this.#o.venue, venueSymbol);
      case 'trade':
        return md.trade(this.#o.venue, venueSymbol);
      case 'book':
        return md.book(this.#o.venue, venueSymbol);
      case 'bookdelta':
        return md.bookDelta(this.#o.venue, venueSymbol);
      case 'status':
        return md.feedStatus(this.#o.venue, venueSymbol);
    }
  }

  #publishTransition(t: FeedTransition): void {
    const labels = { venue: this.#o.venue, symbol: t.venueSymbol };
    this.#publish(this.#pipeline.statusMessage(t));
    this.#o.metrics.feedState.set(labels, FEED_STATE_VALUE[t.status.state]);
    if (t.status.state === 'stale') this.#o.metrics.staleEpisodes.inc(labels);
    if (t.status.state === 'reset') this.#o.metrics.resets.inc({ ...labels, cause: t.cause });
    const view = this.#pipeline.view(t.instrument);
    if (view !== undefined) this.#snapshots.get(t.instrument)?.applyFeed(view);
    this.#summary.transitions += 1;
    // State changes are rare (bounded by episodes, not by the event rate): one line each.
    this.#log[t.from === 'starting' ? 'debug' : 'info'](
      { instrument: t.venueSymbol, from: t.from, to: t.status.state, cause: t.cause, reason: t.status.reason },
      'feed state changed',
    );
  }

  #logSummary(): void {
    const s = this.#summary;
    this.#summary = emptySummary();
    const states = Object.fromEntries(
      this.#o.instruments.map((i) => [i.venueSymbol, this.#pipeline.view(i.instrument)?.state ?? 'unknown']),
    );
    this.#log.info(
      {
        published: s.published,
        rejected: s.rejected,
        ...(s.lastRejection !== undefined ? { lastRejection: s.lastRejection } : {}),
        publishErrors: s.publishErrors,
        feedChanges: s.transitions,
        states,
        ...(this.#o.recorder !== undefined ? { recorder: this.#o.recorder.stats } : {}),
      },
      'market-data summary',
    );
  }
}
