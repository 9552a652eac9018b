import type { VenueId } from '@bourse/contracts';
import { InstrumentRegistry, type InstrumentSpec } from '@bourse/domain';
import type { MarketDataEvent, RawMarketFrame } from '@bourse/venues';
import { DepthSnapshot } from '../common/models.js';
import { BinanceMarketDecoder } from './market-decoder.js';

// Decodes captured raw frames (RawMarketFrame, in capture order) into the events the live feed
// emitted for them, with the live feed's own decoder. Depth snapshots come from the capture, never
// from the network, so a replay is deterministic and offline.

export interface BinanceReplayDecoderOptions {
  venue: VenueId;
  /** The instruments the capture covers (their specs as the venue described them then). */
  instruments: readonly InstrumentSpec[];
  /** Levels per side of each BookSnapshot, as the live feed was configured. */
  bookLevels: number;
  /** A frame the live feed would have dropped too (duplicate, not JSON, malformed), by reason. */
  onDrop?: (reason: string) => void;
}

/** A captured depth snapshot whose body is not Binance's depth document. */
export class InvalidCapturedSnapshotError extends Error {
  override readonly name = 'InvalidCapturedSnapshotError';
  readonly code = 'INVALID_CAPTURED_SNAPSHOT';
  constructor(
    readonly venueSymbol: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`captured depth snapshot for ${venueSymbol} is not valid: ${detail}`, options);
  }
}

export class BinanceReplayDecoder {
  readonly #decoder: BinanceMarketDecoder;
  #out: MarketDataEvent[] = [];

  constructor(options: BinanceReplayDecoderOptions) {
    const registry = new InstrumentRegistry(options.venue, options.instruments);
    this.#decoder = new BinanceMarketDecoder({
      registry: () => registry,
      venue: options.venue,
      bookLevels: options.bookLevels,
      emit: (event) => this.#out.push(event),
      // The live feed fetched it; the capture holds the answer as a later frame.
      needSnapshot: () => undefined,
      drop: (reason) => options.onDrop?.(reason),
      booksOnDemand: true,
    });
  }

  /** The events the live feed emitted for this frame, in order (often none or one). */
  decode(frame: RawMarketFrame): MarketDataEvent[] {
    this.#out = [];
    switch (frame.kind) {
      case 'frame':
        // Answers to SUBSCRIBE were the live feed's business only.
        this.#decoder.decodeFrame(frame.text, frame.receivedAt);
        break;
      case 'depth-snapshot':
        this.#decoder.applySnapshot(frame.venueSymbol, parseSnapshot(frame.venueSymbol, frame.text), frame.receivedAt);
        break;
      case 'connection':
        this.#decoder.onConnection(frame.state, frame.reason, frame.receivedAt);
        break;
    }
    return this.#out;
  }
}

function parseSnapshot(venueSymbol: string, text: string): DepthSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidCapturedSnapshotError(venueSymbol, 'not JSON', { cause: err });
  }
  const parsed = DepthSnapshot.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidCapturedSnapshotError(venueSymbol, `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
