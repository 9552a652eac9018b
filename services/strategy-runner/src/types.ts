import type { MaxDecisionAgeOverrides, StrategyDefinition } from '@bourse/strategy';

// The runner's vocabulary, shared by the core, the lease manager and the shell.

/** The one time source, declared in @bourse/domain. */
export type { Clock } from '@bourse/domain';

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
  /** Raw params; validated by the definition when an instance is made. */
  readonly params: unknown;
  readonly instruments: readonly InstrumentRef[];
  /** Capital allotted to the strategy, in the quote asset (for fraction sizing), when configured. */
  readonly equity?: string;
  /** The user's shelf life per order style (DESIGN 13), over the strategy's own; styles not named keep the strategy's. */
  readonly maxDecisionAgeMs?: MaxDecisionAgeOverrides;
}
