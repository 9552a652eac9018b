// The limits file on disk: read and validated at start, then polled for changes. Polling (stat
// every interval) rather than fs.watch because editors and Kubernetes ConfigMaps replace the file
// by rename, which an fs.watch on the old inode never reports.

import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { limitsFormatOf, loadLimits, type LimitsConfig } from '@bourse/risk';

export interface LimitsSource {
  /** Where the limits come from, for logs. */
  readonly path: string;
  /** Reads and validates; throws LimitsConfigError (or a file error) when the file is unusable. */
  load(): Promise<LimitsConfig>;
  /** Calls `onChange` after the file changed (content may still be invalid); returns a stop function. */
  watch(onChange: () => void): () => void;
}

export class LimitsFile implements LimitsSource {
  constructor(
    readonly path: string,
    private readonly pollMs = 1_000,
  ) {}

  async load(): Promise<LimitsConfig> {
    const text = await readFile(this.path, 'utf8');
    return loadLimits(text, limitsFormatOf(this.path));
  }

  watch(onChange: () => void): () => void {
    const listener = (current: Stats, previous: Stats): void => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) {
        onChange();
      }
    };
    watchFile(this.path, { interval: this.pollMs, persistent: false }, listener);
    return () => unwatchFile(this.path, listener);
  }
}
