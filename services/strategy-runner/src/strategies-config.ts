import { readFileSync } from 'node:fs';
import {
  StrategiesFileError,
  parseStrategies,
  type LoadStrategiesOptions,
  type StrategyConfig,
} from '@bourse/strategy';
import { describeError } from './errors.js';

// The strategies file on disk: read here (the service's I/O), parsed and checked by `parseStrategies`
// in `@bourse/strategy`, which documents the format.

/** Reads and checks a strategies file; throws StrategiesFileError naming the file and each bad path. */
export function loadStrategiesFile(path: string, options: LoadStrategiesOptions = {}): StrategyConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StrategiesFileError(path, [`cannot be read: ${describeError(err)}`], { cause: err });
  }
  return parseStrategies(text, path, options);
}
