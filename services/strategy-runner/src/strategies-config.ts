import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StrategiesFileError } from '@bourse/strategy';
import { loadStrategies, type LoadedStrategies, type RefusedStrategy } from '@bourse/strategy/loader';
import type { Logger } from '@bourse/telemetry';
import { Counter, type Registry } from 'prom-client';
import { describeError } from './errors.js';

// The strategies file on disk: read here (the service's I/O), its strategies loaded and checked by
// `loadStrategies` (`@bourse/strategy/loader`, which documents the format): built-ins by `name:`, the
// user's own modules by `module:` (relative to the file). An entry whose strategy cannot be loaded is
// refused alone (logged and counted by `reportRefused`); the others run.

/**
 * Reads the strategies file and loads its strategies; throws StrategiesFileError naming the file and
 * each bad path when the file cannot be read or breaks its schema. Refused entries are in `refused`.
 */
export async function loadStrategiesFile(path: string): Promise<LoadedStrategies> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StrategiesFileError(path, [`cannot be read: ${describeError(err)}`], { cause: err });
  }
  return loadStrategies(text, path, { baseDir: dirname(resolve(path)) });
}

/**
 * Logs each refused strategy (its error names file, export and field) and counts it in
 * `bourse_strategy_load_failures_total{strategy, code}`, as the runner counts its other errors.
 */
export function reportRefused(refused: readonly RefusedStrategy[], logger: Logger, registry: Registry): void {
  const name = 'bourse_strategy_load_failures_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'strategy' | 'code'> | undefined) ??
    new Counter({
      name,
      help: 'Strategies of the strategies file refused at load (missing file, bad export, bad params, forbidden import), by code',
      labelNames: ['strategy', 'code'],
      registers: [registry],
    });
  for (const r of refused) {
    counter.inc({ strategy: r.id, code: r.error.code });
    logger.error(
      {
        strategy: r.id,
        at: r.at,
        code: r.error.code,
        file: r.error.file,
        export: r.error.exportName,
        field: r.error.field,
      },
      `strategy refused: ${r.error.message}`,
    );
  }
}
