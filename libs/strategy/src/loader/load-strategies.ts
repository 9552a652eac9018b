import { StrategiesFileError } from '../runner/errors.js';
import { checkStrategyEntry, readStrategyEntries } from '../runner/strategies-config.js';
import type { StrategyConfig } from '../runner/types.js';
import { isStrategyLoadError, type StrategyLoadError } from './errors.js';
import { loadStrategy, type LoadedStrategy } from './load-strategy.js';
import type { StrategyRef } from './ref.js';

/** A strategies-file entry the loader refused; the others run. */
export interface RefusedStrategy {
  /** Its place in the file (`strategies.2`). */
  readonly at: string;
  /** Its id when the entry gives one, else its name or module. */
  readonly id: string;
  readonly error: StrategyLoadError;
}

export interface LoadedStrategies {
  readonly strategies: StrategyConfig[];
  /** Where each strategy came from, by strategy id. */
  readonly sources: ReadonlyMap<string, LoadedStrategy>;
  readonly refused: readonly RefusedStrategy[];
}

export interface LoadStrategiesFileOptions {
  /** The folder `module:` paths are relative to: the strategies file's own. */
  readonly baseDir: string;
}

/**
 * The strategies file (YAML or JSON text) with every entry's strategy loaded through `loadStrategy`
 * (built-ins and modules alike) and checked with the entry's params and instruments. An entry whose
 * strategy cannot be loaded (missing file, bad export, forbidden import, bad params or timeframes) is
 * refused on its own: it is listed in `refused` with its StrategyLoadError and the others load. A file
 * that breaks the schema, and entry mistakes that are the file's rather than the strategy's (an id used
 * twice, a version that is not the strategy's), still fail the whole file (StrategiesFileError), as
 * `parseStrategies` does.
 */
export async function loadStrategies(
  text: string,
  source: string,
  options: LoadStrategiesFileOptions,
): Promise<LoadedStrategies> {
  const entries = readStrategyEntries(text, source);
  // Loaded in order, one at a time: compiling is CPU work and the file is short.
  const loaded: (LoadedStrategy | StrategyLoadError)[] = [];
  for (const entry of entries) {
    const ref: StrategyRef =
      entry.module !== undefined
        ? { kind: 'module', module: entry.module, baseDir: options.baseDir, ...exportOf(entry.module, entry.export) }
        : { kind: 'builtin', name: entry.name ?? '' };
    const instruments = entry.instruments.map((i) => (typeof i === 'string' ? i : i.symbol));
    loaded.push(
      await loadStrategy(withoutHash(ref), { params: entry.params ?? {}, instruments }).catch((err: unknown) => {
        if (isStrategyLoadError(err)) return err;
        throw err;
      }),
    );
  }
  const issues: string[] = [];
  const ids = new Set<string>();
  const strategies: StrategyConfig[] = [];
  const sources = new Map<string, LoadedStrategy>();
  const refused: RefusedStrategy[] = [];
  entries.forEach((entry, index) => {
    const at = `strategies.${index}`;
    const result = loaded[index];
    if (result === undefined) return;
    if (!('definition' in result)) {
      refused.push({ at, id: entry.id ?? entry.name ?? entry.module ?? at, error: result });
      return;
    }
    const config = { ...checkStrategyEntry(entry, result.definition, at, ids, issues), codeHash: result.codeHash };
    strategies.push(config);
    sources.set(config.id, result);
  });
  if (issues.length > 0) throw new StrategiesFileError(source, issues);
  return { strategies, sources, refused };
}

/** `module: ./x.ts#name` is `module: ./x.ts` with `export: name`. */
function exportOf(module: string, exportField: string | undefined): { export?: string } {
  const hash = module.lastIndexOf('#');
  const name = exportField ?? (hash > 0 ? module.slice(hash + 1) : undefined);
  return name !== undefined && name !== '' ? { export: name } : {};
}

function withoutHash(ref: StrategyRef): StrategyRef {
  if (ref.kind !== 'module') return ref;
  const hash = ref.module.lastIndexOf('#');
  return hash > 0 ? { ...ref, module: ref.module.slice(0, hash) } : ref;
}
