// The runner's vocabulary lives with its core in `@bourse/strategy` (src/runner/types.ts); the
// service's files name it from here.
export type { Clock, IdSource, InstrumentRef, StrategyConfig } from '@bourse/strategy';
