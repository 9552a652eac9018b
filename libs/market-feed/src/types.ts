import type {
  BookDelta,
  BookSnapshot,
  FeedState,
  FeedStatus,
  InstrumentSymbol,
  Quote,
  Trade,
  VenueId,
} from '@bourse/contracts';

/** The one time source, declared in @bourse/domain. */
export type { Clock } from '@bourse/domain';

/** One instrument the gateway serves: the internal symbol (messages) and the venue's spelling (subjects, keys). */
export interface GatewayInstrument {
  readonly instrument: InstrumentSymbol;
  /** `BTCUSDT`: the token in `md.<venue>.<symbol>.*` subjects and in Redis keys. */
  readonly venueSymbol: string;
}

/** The subject kind a normalised message is published under (`md.<venue>.<symbol>.<kind>`). */
export type NormalisedKind = 'quote' | 'trade' | 'book' | 'bookdelta' | 'status';

interface Addressed {
  readonly venue: VenueId;
  readonly instrument: InstrumentSymbol;
  readonly venueSymbol: string;
}

/** A venue event checked against its contract and addressed to its instrument's subject. */
export type NormalisedMessage =
  | (Addressed & { readonly kind: 'quote'; readonly message: Quote })
  | (Addressed & { readonly kind: 'trade'; readonly message: Trade })
  | (Addressed & { readonly kind: 'book'; readonly message: BookSnapshot })
  | (Addressed & { readonly kind: 'bookdelta'; readonly message: BookDelta })
  | (Addressed & { readonly kind: 'status'; readonly message: FeedStatus });

/** Why a venue event was not published. Low-cardinality: used as a metric label. */
export type RejectReason = 'contract-violation' | 'unknown-instrument' | 'wrong-venue';

/** Why the gateway's view of a feed changed. Low-cardinality: used as a metric label. */
export type FeedChangeCause =
  /** First data after start. */
  | 'first-data'
  /** Data again after a stale episode or a reset. */
  | 'resumed'
  /** No data for longer than the staleness interval. */
  | 'silence'
  /** The venue connection dropped (a reconnect follows). */
  | 'reconnect'
  /** The adapter found a sequence gap and is rebuilding the book. */
  | 'gap';

/** One change of an instrument's feed state, ready to publish. */
export interface FeedTransition {
  readonly instrument: InstrumentSymbol;
  readonly venueSymbol: string;
  readonly from: FeedState | 'starting';
  readonly status: FeedStatus;
  readonly cause: FeedChangeCause;
}
