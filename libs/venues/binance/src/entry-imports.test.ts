import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The exchange simulator is a service: test code may start it in-process (the `./testing` entry,
// src/testing.ts), production code never imports it. Every non-test file but the testing entry is
// checked, so the main entry cannot reach the simulator through any of its files.
const root = new URL('.', import.meta.url).pathname;
const TESTING_ENTRY = join(root, 'testing.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g;

describe('main entry imports', () => {
  it('no file of the main entry imports the exchange simulator or the testing entry', () => {
    const offending: string[] = [];
    const files = sourceFiles(root).filter((f) => !f.endsWith('.test.ts') && f !== TESTING_ENTRY);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? '';
        if (spec.startsWith('@bourse/exchange-sim') || /(^|\/)testing\.js$/.test(spec)) {
          offending.push(`${relative(root, file)}: ${spec}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
