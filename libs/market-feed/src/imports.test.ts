import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The library is the gateway's core: pure but for reading capture files, which is the capture
// reader's purpose. No file of the main entry may reach the bus, a store, the network or a service;
// only capture/capture-reader.ts may read files. The `./testing` entry (testing.ts) is test code and
// is not checked.
const root = new URL('.', import.meta.url).pathname;
const FILE_READER = join(root, 'capture', 'capture-reader.ts');
const TESTING_ENTRY = join(root, 'testing.ts');
const IO = /^(node:fs|node:net|node:http|node:https|node:child_process|pg|ioredis|ws|got|@nats-io\/|@bourse\/bus)/;
const SERVICES = /^@bourse\/(exchange-sim|market-data|strategy-runner|risk-gate|order-manager|reconciler|cli)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g;

describe('package imports', () => {
  it('the main entry imports no I/O but the capture reader’s files, and no service', () => {
    const offending: string[] = [];
    const files = sourceFiles(root).filter((f) => !f.endsWith('.test.ts') && f !== TESTING_ENTRY);
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? '';
        const io = IO.test(spec) && !(file === FILE_READER && spec.startsWith('node:fs'));
        if (io || SERVICES.test(spec) || spec.endsWith('testing.js')) {
          offending.push(`${relative(root, file)}: ${spec}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
