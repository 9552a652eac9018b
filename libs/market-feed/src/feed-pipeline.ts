import type { InstrumentSymbol, VenueId } from '@bourse/contracts';
import type { ConnectionStateChange, MarketDataEvent } from '@bourse/venues';
import type { FeedTransition, GatewayInstrument, NormalisedMessage, RejectReason } from './types.js';
import { Normaliser } from './normalise.js';
import { FeedMonitor, type InstrumentFeedView } from './staleness.js';

// What the gateway does with one venue event, without the I/O: check it against its contract,
// address it, and move the instrument's feed state. The live gateway publishes the result; a
// capture replay (readCapture) yields it, so both produce the same messages from the same events.

export type PipelineStep =
  /** A quote, trade, book snapshot or book delta to publish. */
  | { readonly type: 'message'; readonly message: NormalisedMessage }
  /** A change of an instrument's feed state, published as FeedStatus. */
  | { readonly type: 'transition'; readonly transition: FeedTransition }
  /** A venue event that failed its contract or names an instrument this gateway does not serve. */
  | { readonly type: 'rejected'; readonly reason: RejectReason; readonly error: Error };

export interface FeedPipelineOptions {
  venue: VenueId;
  instruments: readonly GatewayInstrument[];
  staleAfterMs: number;
  startedAt: number;
}

export class FeedPipeline {
  readonly #normaliser: Normaliser;
  readonly #monitor: FeedMonitor;
  readonly #venue: VenueId;

  constructor(options: FeedPipelineOptions) {
    this.#venue = options.venue;
    this.#normaliser = new Normaliser(options.venue, options.instruments);
    this.#monitor = new FeedMonitor(options);
  }

  /**
   * The steps for one venue event, in the order they must be published. Data moves the feed state
   * at its own receive time, not at the time it is handled: a replay of the capture has only that
   * time, and must publish the same FeedStatus the gateway did.
   */
  onEvent(event: MarketDataEvent): PipelineStep[] {
    if (event.kind === 'connection') return this.#transitions(this.#monitor.onConnection(event));
    const result = this.#normaliser.normalise(event);
    if (!result.ok) return [{ type: 'rejected', reason: result.reason, error: result.error }];
    const m = result.value;
    // The adapter's book status feeds the monitor; the gateway publishes its own (one voice per feed).
    if (m.kind === 'status') return this.#transitions(this.#monitor.onVenueStatus(m.message));
    return [
      { type: 'message', message: m },
      ...this.#transitions(this.#monitor.onData(m.instrument, m.message.receivedAt)),
    ];
  }

  /** Something other than the venue connection lost messages (the gateway's own NATS link). */
  onLoss(change: ConnectionStateChange): PipelineStep[] {
    return this.#transitions(this.#monitor.onConnection(change));
  }

  /** Instruments silent for too long, as of `now`. */
  check(now: number): PipelineStep[] {
    return this.#transitions(this.#monitor.check(now));
  }

  view(instrument: InstrumentSymbol): InstrumentFeedView | undefined {
    return this.#monitor.view(instrument);
  }

  /** A transition as the FeedStatus message it is published as. */
  statusMessage(t: FeedTransition): NormalisedMessage {
    return {
      kind: 'status',
      venue: this.#venue,
      instrument: t.instrument,
      venueSymbol: t.venueSymbol,
      message: t.status,
    };
  }

  #transitions(list: readonly FeedTransition[]): PipelineStep[] {
    return list.map((transition) => ({ type: 'transition', transition }));
  }
}
