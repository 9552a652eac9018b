import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { builtinStrategies } from '../builtin/registry.js';
import { isStrategyDefinition } from '../sdk/define-strategy.js';
import {
  InvalidStrategyDefinitionError,
  InvalidStrategyParamsError,
  InvalidStrategySetupError,
  isStrategyError,
} from '../sdk/errors.js';
import type { StrategyDefinition } from '../types.js';
import { BundleFailedError, bundleStrategy } from './bundle.js';
import { builtinCodeHash, moduleCodeHash } from './code-hash.js';
import {
  ForbiddenStrategyImportError,
  StrategyCheckError,
  StrategyExportError,
  StrategyModuleError,
  StrategyNotFoundError,
} from './errors.js';
import { installPlatformModules } from './platform-modules.js';
import { isPathSpecifier, type StrategyRef } from './ref.js';
import { placeholderInstruments } from '../sdk/unit.js';

/** A strategy found and checked: its definition, and where it came from. */
export interface LoadedStrategy {
  readonly definition: StrategyDefinition;
  readonly ref: StrategyRef;
  /** The module file (absolute), or `builtin:<name>`. */
  readonly file: string;
  /** The export the definition came from (`default`, a name), or `-` for a built-in. */
  readonly exportName: string;
  /** Every file compiled into the module (absolute), the entry first; empty for a built-in. */
  readonly files: readonly string[];
  /**
   * sha256 (hex) of the strategy's code: the module and the files of the user's folder it imports
   * (not node_modules, not the platform modules), or a built-in's source file (code-hash.ts).
   */
  readonly codeHash: string;
}

export interface CheckOptions {
  /**
   * Raw params to make a check instance with (`{}`: the schema's defaults). Absent: no instance is made,
   * so params, timeframes and warm-up are checked when the caller makes one (a sweep, per combination).
   */
  readonly params?: unknown;
  /** Instruments to make the check instance for (absent: `BTC/USDT`; a unit: as many as it needs). */
  readonly instruments?: readonly string[];
}

/**
 * Finds a strategy, built-in or module, and checks it before anything trades: the file exists, it and
 * what it imports import nothing that does I/O, it compiles and evaluates, the export is a
 * `defineStrategy` result, and an instance with `params` can be made (params valid, timeframes,
 * warm-up and evaluation valid). Each failure is one StrategyLoadError naming file, export and field.
 */
export async function loadStrategy(ref: StrategyRef, check: CheckOptions = {}): Promise<LoadedStrategy> {
  const loaded = ref.kind === 'builtin' ? builtin(ref) : await fromModule(ref);
  if (check.params !== undefined) checkInstance(loaded, check);
  return loaded;
}

function builtin(ref: Extract<StrategyRef, { kind: 'builtin' }>): LoadedStrategy {
  const file = `builtin:${ref.name}`;
  const definition = Object.hasOwn(builtinStrategies, ref.name) ? builtinStrategies[ref.name] : undefined;
  if (definition === undefined) {
    throw new StrategyNotFoundError(
      { file, exportName: '-', field: 'name', value: ref.name },
      `no built-in strategy named "${ref.name}"; known: ${Object.keys(builtinStrategies).join(', ')}`,
    );
  }
  return { definition, ref, file, exportName: '-', files: [], codeHash: builtinCodeHash(ref.name, definition.version) };
}

// One compile per module file and export in a process (the runner loads each entry once; a sweep
// worker once per worker); a changed file is seen by the next process.
const modules = new Map<string, Promise<Record<string, unknown>>>();

async function fromModule(ref: Extract<StrategyRef, { kind: 'module' }>): Promise<LoadedStrategy> {
  const file = locate(ref);
  const wanted = ref.export;
  const bundle = await bundleStrategy(file).catch((err: unknown) => {
    const detail = err instanceof BundleFailedError ? err.message : String(err);
    throw new StrategyModuleError(
      { file, exportName: wanted ?? 'default', field: 'module', value: ref.module, cause: err },
      `does not compile: ${detail}`,
    );
  });
  const [first] = bundle.forbidden;
  if (first !== undefined) {
    throw new ForbiddenStrategyImportError(
      { file: first.file, exportName: wanted ?? 'default', field: 'imports', value: first.what },
      bundle.forbidden.map((f) => `${f.file}: ${f.what}`),
    );
  }
  installPlatformModules();
  let exports: Record<string, unknown>;
  try {
    let pending = modules.get(bundle.code);
    if (pending === undefined) {
      // A data: URL: the bundle is one self-contained ES module (its platform imports read globalThis).
      pending = import(
        /* @vite-ignore */ `data:text/javascript;base64,${Buffer.from(bundle.code).toString('base64')}`
      ) as Promise<Record<string, unknown>>;
      modules.set(bundle.code, pending);
    }
    exports = await pending;
  } catch (err) {
    // defineStrategy refusing the definition while the module is evaluated: name the field it refused
    // (`unit.minInstruments`, `timeframes.0`), the module stays the error's kind.
    const field =
      err instanceof InvalidStrategyDefinitionError && err.issues[0] !== undefined ? err.issues[0].path : 'module';
    throw new StrategyModuleError(
      { file, exportName: wanted ?? 'default', field, value: ref.module, cause: err },
      `threw while loading: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const { exportName, definition } = pickExport(file, exports, wanted);
  return { definition, ref, file, exportName, files: bundle.files, codeHash: moduleCodeHash(file, bundle.files) };
}

/** The absolute file of a module reference; StrategyNotFoundError when there is none. */
function locate(ref: Extract<StrategyRef, { kind: 'module' }>): string {
  const exportName = ref.export ?? 'default';
  if (isPathSpecifier(ref.module)) {
    const file = resolvePath(ref.baseDir, ref.module);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new StrategyNotFoundError(
        { file, exportName, field: 'module', value: ref.module },
        `no such file (${ref.module} from ${ref.baseDir})`,
      );
    }
    return file;
  }
  try {
    return createRequire(resolvePath(ref.baseDir, 'package.json')).resolve(ref.module);
  } catch (err) {
    throw new StrategyNotFoundError(
      { file: ref.module, exportName, field: 'module', value: ref.module, cause: err },
      `no package "${ref.module}" is installed where ${ref.baseDir} can see it${
        /^[a-z0-9][a-z0-9_-]*$/.test(ref.module)
          ? `, and no built-in strategy has that name (built-ins: ${Object.keys(builtinStrategies).join(', ')})`
          : ''
      }`,
    );
  }
}

function pickExport(
  file: string,
  exports: Record<string, unknown>,
  wanted: string | undefined,
): { exportName: string; definition: StrategyDefinition } {
  const definitions = Object.keys(exports).filter((k) => isStrategyDefinition(exports[k]));
  if (wanted !== undefined) {
    const value = exports[wanted];
    if (isStrategyDefinition(value)) return { exportName: wanted, definition: value };
    throw new StrategyExportError(
      { file, exportName: wanted, field: 'export', value: wanted },
      value === undefined
        ? `the module has no export "${wanted}"; its strategy exports: ${definitions.join(', ') || 'none'}`
        : `"${wanted}" is not a defineStrategy(...) result (it is ${describe(value)})`,
    );
  }
  if (isStrategyDefinition(exports['default'])) return { exportName: 'default', definition: exports['default'] };
  const [only] = definitions;
  if (definitions.length === 1 && only !== undefined) {
    return { exportName: only, definition: exports[only] as StrategyDefinition };
  }
  throw new StrategyExportError(
    { file, exportName: 'default', field: 'export', value: Object.keys(exports) },
    exports['default'] !== undefined
      ? `the default export is not a defineStrategy(...) result (it is ${describe(exports['default'])})`
      : definitions.length > 1
        ? `no default export and several strategies (${definitions.join(', ')}): name one (file.ts#name or export:)`
        : `exports no defineStrategy(...) result (exports: ${Object.keys(exports).join(', ') || 'none'})`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object without the definition brand';
  return `a ${typeof value}`;
}

/** Makes one instance, as the runner will, so bad params or a bad timeframe fail here. */
function checkInstance(loaded: LoadedStrategy, check: CheckOptions): void {
  const at = { file: loaded.file, exportName: loaded.exportName };
  try {
    loaded.definition.instantiate({
      params: check.params,
      instruments: check.instruments ?? placeholderInstruments(loaded.definition.unit),
    });
  } catch (err) {
    if (err instanceof InvalidStrategyParamsError || err instanceof InvalidStrategyDefinitionError) {
      const prefix = err instanceof InvalidStrategyParamsError ? 'params' : '';
      const [issue] = err.issues;
      const path = issue === undefined || issue.path === '(root)' ? '' : issue.path;
      const field = [prefix, path].filter((p) => p !== '').join('.') || 'params';
      throw new StrategyCheckError(
        { ...at, field, value: err.value, cause: err },
        err.issues
          .map((i) => (i === issue ? i.message : `${prefix ? `${prefix}.` : ''}${i.path}: ${i.message}`))
          .join('; '),
      );
    }
    if (err instanceof InvalidStrategySetupError) {
      const [issue] = err.issues;
      throw new StrategyCheckError(
        { ...at, field: issue?.path ?? 'instruments', value: err.value, cause: err },
        issue?.message ?? err.message,
      );
    }
    const detail = isStrategyError(err) || err instanceof Error ? err.message : String(err);
    throw new StrategyModuleError({ ...at, field: 'create', value: undefined, cause: err }, `threw: ${detail}`);
  }
}
