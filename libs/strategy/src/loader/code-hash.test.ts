import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategies, loadStrategy, userFiles, type StrategyRef } from './index.js';

// The code hash of a loaded strategy (issue 21 §2): the module and the user's files it imports, read
// from a folder outside the repository, so the platform's modules it imports cannot be among them.

const STRATEGY = `
import { z } from 'zod';
import { defineStrategy } from '@bourse/strategy';
import { threshold } from './lib/threshold.ts';
import { label } from 'acme-labels';

export default defineStrategy({
  name: 'hashed',
  version: '1.0.0',
  params: z.strictObject({}),
  timeframes: ['1m'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create() {
    return { onBar: (bar) => (bar.close > threshold && label !== '' ? [] : []) };
  },
});
`;

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-code-hash-'));
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'node_modules', 'acme-labels'), { recursive: true });
  writeFileSync(join(dir, 'strategy.ts'), STRATEGY);
  writeFileSync(join(dir, 'lib', 'threshold.ts'), 'export const threshold = 10;\n');
  writeFileSync(join(dir, 'node_modules', 'acme-labels', 'package.json'), '{"name":"acme-labels","main":"index.js"}');
  writeFileSync(join(dir, 'node_modules', 'acme-labels', 'index.js'), "export const label = 'x';\n");
  return dir;
}

const ref = (dir: string): StrategyRef => ({ kind: 'module', module: './strategy.ts', baseDir: dir });
const edit = (path: string, from: string, to: string) =>
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));

describe('code hash of a loaded strategy', () => {
  it('is a sha256 over the module and its relative imports, not node_modules, the same on every load', async () => {
    const dir = folder();
    const first = await loadStrategy(ref(dir));
    expect(first.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.files).toContain(join(dir, 'node_modules', 'acme-labels', 'index.js'));
    expect(userFiles(first.file, first.files)).toEqual([join(dir, 'strategy.ts'), join(dir, 'lib', 'threshold.ts')]);
    expect((await loadStrategy(ref(dir))).codeHash).toBe(first.codeHash);
  });

  it('is the same for the same files in another folder (stable across machines)', async () => {
    const dir = folder();
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'bourse-code-hash-copy-')), 'deep', 'er');
    cpSync(dir, elsewhere, { recursive: true });
    expect((await loadStrategy(ref(elsewhere))).codeHash).toBe((await loadStrategy(ref(dir))).codeHash);
  });

  it('is the same after a ConfigMap volume update that changed nothing, and changes with one that did', async () => {
    // A ConfigMap volume: each file a link through `..data` to a folder named by the update's time.
    const volume = mkdtempSync(join(tmpdir(), 'bourse-code-hash-configmap-'));
    const update = (name: string) => {
      cpSync(folder(), join(volume, name), { recursive: true });
      symlinkSync(name, join(volume, '..data_tmp'));
      renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
    };
    update('..2026_12_07_10_00_00.1');
    for (const f of ['strategy.ts', 'lib', 'node_modules']) symlinkSync(join('..data', f), join(volume, f));
    const before = (await loadStrategy(ref(volume))).codeHash;
    update('..2026_12_07_11_00_00.2');
    expect((await loadStrategy(ref(volume))).codeHash).toBe(before);
    update('..2026_12_07_12_00_00.3');
    edit(join(volume, '..2026_12_07_12_00_00.3', 'lib', 'threshold.ts'), '10', '11');
    expect((await loadStrategy(ref(volume))).codeHash).not.toBe(before);
  });

  it('changes with a one-character edit in the module or in a relatively imported helper', async () => {
    const dir = folder();
    const before = (await loadStrategy(ref(dir))).codeHash;
    edit(join(dir, 'lib', 'threshold.ts'), '10', '11');
    const helperEdited = (await loadStrategy(ref(dir))).codeHash;
    expect(helperEdited).not.toBe(before);
    edit(join(dir, 'strategy.ts'), "name: 'hashed'", "name: 'hashee'");
    const moduleEdited = (await loadStrategy(ref(dir))).codeHash;
    expect(moduleEdited).not.toBe(helperEdited);
    expect(moduleEdited).not.toBe(before);
  });

  it('does not change when only a package in node_modules changes', async () => {
    const dir = folder();
    const before = (await loadStrategy(ref(dir))).codeHash;
    edit(join(dir, 'node_modules', 'acme-labels', 'index.js'), "'x'", "'y'");
    expect((await loadStrategy(ref(dir))).codeHash).toBe(before);
  });

  it('a built-in has one too, from its source file, stable', async () => {
    const a = await loadStrategy({ kind: 'builtin', name: 'sma-cross' });
    const b = await loadStrategy({ kind: 'builtin', name: 'rsi-threshold' });
    expect(a.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadStrategy({ kind: 'builtin', name: 'sma-cross' })).codeHash).toBe(a.codeHash);
    expect(b.codeHash).not.toBe(a.codeHash);
  });

  it('loadStrategies puts it on each strategy config, for the runner to put on its intents', async () => {
    const dir = folder();
    const text =
      'strategies:\n  - module: ./strategy.ts\n    version: 1.0.0\n    venue: binance\n    instruments: [BTC/USDT]\n';
    const { strategies, sources } = await loadStrategies(text, 'strategies.yaml', { baseDir: dir });
    expect(strategies[0]?.codeHash).toBe(sources.get('hashed')?.codeHash);
    expect(strategies[0]?.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
