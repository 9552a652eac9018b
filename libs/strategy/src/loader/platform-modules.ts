import * as contracts from '@bourse/contracts';
import * as domain from '@bourse/domain';
import * as zod from 'zod';
import * as sdk from '../index.js';

// The platform's own modules a strategy may import, handed to the loaded module as they are in this
// process rather than resolved from the strategy's folder: a strategy outside the repository (no
// node_modules of ours) can still import defineStrategy from @bourse/strategy, and the
// definition it makes, the errors its instances throw and the Decimal it uses are this process's own
// (one copy, so `instanceof` and the definition's brand hold).

/** The specifiers a strategy may import from the platform, and their modules. */
export const PLATFORM_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  '@bourse/strategy': sdk,
  '@bourse/domain': domain,
  '@bourse/contracts': contracts,
  zod: zod,
});

/** Where the loaded module finds them (a registered symbol on globalThis, set once per thread). */
export const PLATFORM_KEY = 'bourse.strategy.platform-modules';

export function installPlatformModules(): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for(PLATFORM_KEY)] ??= PLATFORM_MODULES;
}

/** The source of a stand-in module that re-exports one platform module's names from globalThis. */
export function platformModuleSource(specifier: string): string {
  const mod = PLATFORM_MODULES[specifier];
  if (mod === undefined) throw new Error(`not a platform module: ${specifier}`);
  const lines = [`const m = globalThis[Symbol.for(${JSON.stringify(PLATFORM_KEY)})][${JSON.stringify(specifier)}];`];
  Object.keys(mod).forEach((name, i) => {
    if (name === 'default') lines.push(`export default m.default;`);
    else lines.push(`const x${i} = m[${JSON.stringify(name)}];`, `export { x${i} as ${name} };`);
  });
  return lines.join('\n');
}
