import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade, type Subjects } from '@bourse/contracts';
import type { Contract } from '@bourse/bus';

// `bourse replay`'s core: captured events (readCapture, @bourse/market-feed) → their md.* subjects,
// paced by the gateway's receive times divided by the speed. The publisher, the monotonic clock and
// the wait are injected, so the pacing is tested without a server or a timer.

/** The part of a captured event replay reads: readCapture's `{ receivedAt, event }`, typed by shape. */
export interface ReplayEvent {
  readonly receivedAt: number;
  readonly event: {
    readonly kind: ReplayKind;
    readonly venue: string;
    readonly venueSymbol: string;
    readonly message: unknown;
  };
}

export type ReplayKind = 'quote' | 'trade' | 'book' | 'bookdelta' | 'status';

/** The contract each kind is published under: the market-data gateway's own. */
export const REPLAY_CONTRACTS = {
  quote: { name: 'Quote', schema: Quote },
  trade: { name: 'Trade', schema: Trade },
  book: { name: 'BookSnapshot', schema: BookSnapshot },
  bookdelta: { name: 'BookDelta', schema: BookDelta },
  status: { name: 'FeedStatus', schema: FeedStatus },
} as const satisfies Record<ReplayKind, Contract>;

/** The subject an event of `kind` is published on: `md.<venue>.<SYMBOL>.<kind>` in the namespace. */
export function replaySubject(subjects: Subjects, kind: ReplayKind, venue: string, venueSymbol: string): string {
  switch (kind) {
    case 'quote':
      return subjects.md.quote(venue, venueSymbol);
    case 'trade':
      return subjects.md.trade(venue, venueSymbol);
    case 'book':
      return subjects.md.book(venue, venueSymbol);
    case 'bookdelta':
      return subjects.md.bookDelta(venue, venueSymbol);
    case 'status':
      return subjects.md.feedStatus(venue, venueSymbol);
  }
}

/** `max`: as fast as the bus takes them; a number: capture time runs that many times faster. */
export type ReplaySpeed = number | 'max';

export class InvalidSpeedError extends Error {
  override readonly name = 'InvalidSpeedError';
  readonly code = 'INVALID_SPEED';
  constructor(readonly value: string) {
    super(`--speed expects a factor above 0 such as 1x, 10x or 0.5x, or max; got "${value}"`);
  }
}

/** Parses `10x`, `10`, `0.5x` or `max`. */
export function parseSpeed(value: string): ReplaySpeed {
  if (value === 'max') return 'max';
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(value);
  const factor = m === null ? NaN : Number(m[1]);
  if (!(factor > 0) || !Number.isFinite(factor)) throw new InvalidSpeedError(value);
  return factor;
}

/**
 * The capture's time as it is being replayed: the first event's receive time when replay started,
 * then advancing `speed` times faster than the monotonic clock. A consumer that must see the data as
 * live (a strategy runner fed by the replay, in a test) runs on this clock. Before the first event
 * and at speed `max` it has no meaning and throws.
 */
export class ReplayClock {
  private origin: { captureAt: number; monoAt: number } | undefined;
  constructor(
    private readonly mono: { now(): number },
    private readonly speed: ReplaySpeed,
  ) {}

  start(captureAt: number): void {
    this.origin ??= { captureAt, monoAt: this.mono.now() };
  }

  get started(): boolean {
    return this.origin !== undefined;
  }

  /** When, on the monotonic clock, the event received at `captureAt` is due. */
  dueAt(captureAt: number): number {
    if (this.origin === undefined || this.speed === 'max') return -Infinity;
    return this.origin.monoAt + (captureAt - this.origin.captureAt) / this.speed;
  }

  now(): number {
    if (this.origin === undefined || this.speed === 'max')
      throw new Error('the replay clock runs only once replay has started, at a finite speed');
    return this.origin.captureAt + Math.floor((this.mono.now() - this.origin.monoAt) * this.speed);
  }
}

export interface ReplayDeps {
  readonly subjects: Subjects;
  /** Core NATS publish (libs/bus Bus.publish): validated against the contract, at most once. */
  publish(subject: string, contract: Contract, message: unknown): void;
  readonly clock: ReplayClock;
  /** The monotonic clock the ReplayClock runs on. */
  readonly mono: { now(): number };
  /** Waits `ms` (a timer in the shell). */
  wait(ms: number): Promise<void>;
  /** Called every `progressEvery` events and at the end with the count so far. */
  onProgress?(published: number, receivedAt: number): void;
  readonly progressEvery?: number;
}

export interface ReplaySummary {
  readonly published: number;
  readonly byKind: Record<ReplayKind, number>;
  readonly firstReceivedAt: number | undefined;
  readonly lastReceivedAt: number | undefined;
}

/** Waits shorter than this are not worth a timer: the next event goes out at once. */
const MIN_WAIT_MS = 1;
/** At speed max, hand the event loop back now and then, so the NATS client can write its buffer. */
const MAX_SPEED_YIELD_EVERY = 1000;

/**
 * Publishes every event in capture order, each when its receive time (relative to the first) divided
 * by the speed has passed. Events never overtake each other: a late one goes out at once, and the
 * ones behind it keep their own due times (a slow publisher catches up rather than drifting).
 */
export async function replay(events: AsyncIterable<ReplayEvent>, deps: ReplayDeps): Promise<ReplaySummary> {
  const byKind: Record<ReplayKind, number> = { quote: 0, trade: 0, book: 0, bookdelta: 0, status: 0 };
  let published = 0;
  let first: number | undefined;
  let last: number | undefined;
  const every = deps.progressEvery ?? 1000;
  for await (const { receivedAt, event } of events) {
    first ??= receivedAt;
    deps.clock.start(receivedAt);
    const wait = deps.clock.dueAt(receivedAt) - deps.mono.now();
    if (wait >= MIN_WAIT_MS) await deps.wait(wait);
    else if (published % MAX_SPEED_YIELD_EVERY === MAX_SPEED_YIELD_EVERY - 1) await deps.wait(0);
    deps.publish(
      replaySubject(deps.subjects, event.kind, event.venue, event.venueSymbol),
      REPLAY_CONTRACTS[event.kind] as Contract,
      event.message,
    );
    byKind[event.kind] += 1;
    published += 1;
    last = receivedAt;
    if (published % every === 0) deps.onProgress?.(published, receivedAt);
  }
  if (last !== undefined) deps.onProgress?.(published, last);
  return { published, byKind, firstReceivedAt: first, lastReceivedAt: last };
}
