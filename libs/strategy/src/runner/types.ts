import type { MaxDecisionAgeOverrides } from '../sdk/shelf-life.js';
import type { StrategyDefinition } from '../types.js';

// The runner's vocabulary, shared by the core, the strategy runner service (lease manager, shell) and
// the backtester. Time is the SDK's `Clock` (injected; the core never reads the system clock).

/** Makes intent ids (IntentId: 1-64 of A-Za-z0-9_:.-), unique across replicas and restarts. */
export interface IdSource {
  next(): string;
}

/** One instrument on one venue, under both of its names. */
export interface InstrumentRef {
  readonly venue: string;
  /** Internal `BASE/QUOTE`, as messages carry it. */
  readonly symbol: string;
  /** The venue's spelling (`BTCUSDT`), the token used in subjects, KV keys and trading-state keys. */
  readonly venueSymbol: string;
}

/** A strategy from the strategies file, checked: its definition, id, version and raw params. */
export interface StrategyConfig {
  /** Strategy id on intents, client order ids and trading-state keys (`strategy.<id>`). */
  readonly id: string;
  readonly definition: StrategyDefinition;
  /** Equal to the definition's version; recorded on every intent. */
  readonly version: string;
  /**
   * The hash of the strategy's code (`@bourse/strategy/loader`'s `codeHash`), set when the strategy was
   * loaded by the loader; recorded on every intent as `codeHash`. Absent for definitions handed in directly.
   */
  readonly codeHash?: string;
  /** Raw params; validated by the definition when an instance is made. */
  readonly params: unknown;
  readonly instruments: readonly InstrumentRef[];
  /** Capital allotted to the strategy, in the quote asset (for fraction sizing), when configured. */
  readonly equity?: string;
  /** The user's shelf life per order style (DESIGN 13), over the strategy's own; styles not named keep the strategy's. */
  readonly maxDecisionAgeMs?: MaxDecisionAgeOverrides;
}
