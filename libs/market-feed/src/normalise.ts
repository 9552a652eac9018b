import {
  BookDelta,
  BookSnapshot,
  ContractViolationError,
  FeedStatus,
  Quote,
  Trade,
  decodeMessage,
  type InstrumentSymbol,
  type VenueId,
} from '@bourse/contracts';
import type { MarketDataMessage } from '@bourse/venues';
import { UnknownInstrumentError, WrongVenueError } from './errors.js';
import type { GatewayInstrument, NormalisedMessage, RejectReason } from './types.js';

// Venue events → contract messages addressed to their subjects. The adapter already speaks our
// contracts; this is the gateway's own check before anything leaves the process, because a
// consumer trusts what arrives on md.* and an adapter bug must stop here, counted, not downstream.

export type NormaliseResult =
  | { readonly ok: true; readonly value: NormalisedMessage }
  | { readonly ok: false; readonly reason: RejectReason; readonly error: Error };

/** Validates venue events against the contracts and finds each one's subject symbol. */
export class Normaliser {
  readonly #venue: VenueId;
  readonly #bySymbol = new Map<string, GatewayInstrument>();

  constructor(venue: VenueId, instruments: readonly GatewayInstrument[]) {
    this.#venue = venue;
    for (const i of instruments) this.#bySymbol.set(i.instrument, i);
  }

  normalise(event: MarketDataMessage): NormaliseResult {
    try {
      switch (event.kind) {
        case 'quote':
          return this.#address('quote', decodeMessage('Quote', Quote, event.quote));
        case 'trade':
          return this.#address('trade', decodeMessage('Trade', Trade, event.trade));
        case 'book-snapshot':
          return this.#address('book', decodeMessage('BookSnapshot', BookSnapshot, event.snapshot));
        case 'book-delta':
          return this.#address('bookdelta', decodeMessage('BookDelta', BookDelta, event.delta));
        case 'feed-status':
          return this.#address('status', decodeMessage('FeedStatus', FeedStatus, event.status));
      }
    } catch (err) {
      if (err instanceof ContractViolationError) return { ok: false, reason: 'contract-violation', error: err };
      throw err;
    }
  }

  #address<K extends NormalisedMessage['kind']>(
    kind: K,
    message: Extract<NormalisedMessage, { kind: K }>['message'],
  ): NormaliseResult {
    if (message.venue !== this.#venue) {
      return { ok: false, reason: 'wrong-venue', error: new WrongVenueError(message.venue, this.#venue) };
    }
    const instrument: InstrumentSymbol | undefined = message.instrument;
    const target = instrument === undefined ? undefined : this.#bySymbol.get(instrument);
    if (target === undefined) {
      return {
        ok: false,
        reason: 'unknown-instrument',
        error: new UnknownInstrumentError(instrument ?? '(none)'),
      };
    }
    return {
      ok: true,
      value: {
        kind,
        venue: this.#venue,
        instrument: target.instrument,
        venueSymbol: target.venueSymbol,
        message,
      } as NormalisedMessage,
    };
  }
}
