// The files `bourse start` hands to services by path (a strategies file, a risk limits file) are
// read with each service's own parser before anything starts, so a bad parameter is refused at
// once with the file and field named, as the same mistake inline in the config is, instead of by
// the service after the venue and four others have started.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isLimitsConfigError, limitsFormatOf, loadLimits } from '@bourse/risk';
import { parseStrategies, StrategiesFileError } from '@bourse/strategy';
import { ConfigError } from '../errors.js';
import type { PlatformConfig } from './platform-config.js';

/** Throws ConfigError for the first handed file that its service would refuse. */
export function checkHandedFiles(config: PlatformConfig, root: string): void {
  const strategies = config.strategies.file;
  if (strategies !== undefined) {
    const path = resolved(root, strategies);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      // Worded as the runner's own loadStrategiesFile words it.
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConfigError('strategies.file', strategies, `strategies file ${strategies}: cannot be read: ${reason}`, {
        cause: err,
      });
    }
    try {
      // Modules are loaded (and a bad one refused alone) by the runner; built-ins are checked here.
      parseStrategies(text, path, { skipModules: true });
    } catch (err) {
      if (!(err instanceof StrategiesFileError)) throw err;
      throw new ConfigError('strategies.file', strategies, `strategies file ${strategies}: ${err.issues.join('; ')}`, {
        cause: err,
      });
    }
  }
  const limits = config.risk.limitsFile;
  if (limits !== undefined) {
    const path = resolved(root, limits);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String(err);
      throw new ConfigError('risk.limitsFile', limits, `risk limits file ${limits} cannot be read: ${reason}`, {
        cause: err,
      });
    }
    try {
      loadLimits(text, limitsFormatOf(path));
    } catch (err) {
      if (!isLimitsConfigError(err)) throw err;
      const detail = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new ConfigError('risk.limitsFile', limits, `risk limits file ${limits}: ${detail}`, { cause: err });
    }
  }
}

/** Services run in the repository root, so a relative path means the same to them as here. */
function resolved(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
