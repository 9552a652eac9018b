import { builtinStrategies } from '../builtin/registry.js';

/**
 * Where a strategy comes from: a built-in by name, or a module. `module` is a path (relative to
 * `baseDir`, the folder of the config file that names it, or the working directory for a CLI flag), or
 * a package specifier; `export` the named export holding the definition (absent: the default export,
 * or the module's only exported definition).
 */
export type StrategyRef =
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'module'; readonly module: string; readonly export?: string; readonly baseDir: string };

/**
 * A strategy named on a command line (`bourse backtest --strategy ...`): a built-in name, or a module
 * path / package specifier with an optional `#export` (`./strategies/mean-revert.ts#meanRevert`).
 */
export function parseStrategyRef(text: string, baseDir: string): StrategyRef {
  if (Object.hasOwn(builtinStrategies, text)) return { kind: 'builtin', name: text };
  const hash = text.lastIndexOf('#');
  const module = hash > 0 ? text.slice(0, hash) : text;
  const exportName = hash > 0 ? text.slice(hash + 1) : undefined;
  return { kind: 'module', module, ...(exportName ? { export: exportName } : {}), baseDir };
}

/** Whether a module reference is a path (relative or absolute) rather than a package specifier. */
export function isPathSpecifier(module: string): boolean {
  return module.startsWith('./') || module.startsWith('../') || module.startsWith('/') || module === '.';
}

/** How a reference reads in logs and errors. */
export function describeRef(ref: StrategyRef): string {
  return ref.kind === 'builtin' ? `builtin:${ref.name}` : `${ref.module}${ref.export ? `#${ref.export}` : ''}`;
}
