import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// Strategies see market state and return intents, and the runner core drives them from messages
// handed in: the package must not be able to reach the bus, a venue, a store, a file or the network.
// Every import of non-test code is checked against this list (`yaml` parses strategies-file text).
const ALLOWED = new Set(['zod', 'yaml', '@bourse/contracts', '@bourse/domain']);
// The strategy loader (src/loader/, its own entry `@bourse/strategy/loader`, which the SDK does not
// import) reads users' strategy files and compiles them, and hashes them (node:crypto; node:url finds a
// built-in's source file): it alone may use these.
const LOADER_ALLOWED = new Set(['esbuild', 'node:crypto', 'node:fs', 'node:module', 'node:path', 'node:url']);
const root = new URL('.', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|require\s*\(\s*['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g;

describe('package imports', () => {
  it('non-test code imports only zod, yaml, contracts, domain and its own files', () => {
    const offending: string[] = [];
    const files = sourceFiles(root).filter((f) => !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
        const inLoader = relative(root, file).startsWith('loader/');
        if (spec.startsWith('.') || ALLOWED.has(spec) || (inLoader && LOADER_ALLOWED.has(spec))) continue;
        offending.push(`${relative(root, file)}: ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('nothing outside the loader imports the loader', () => {
    const offending = sourceFiles(root)
      .filter((f) => !f.endsWith('.test.ts') && !relative(root, f).startsWith('loader/'))
      .filter((f) => /from\s+['"][./]*\/loader\//.test(readFileSync(f, 'utf8')));
    expect(offending).toEqual([]);
  });

  it('the package declares no other runtime dependency', () => {
    const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as { dependencies?: object };
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual([...ALLOWED, 'esbuild'].sort());
  });
});
