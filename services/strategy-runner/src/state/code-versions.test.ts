import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { Trade } from '@bourse/contracts';
import { loadStrategy } from '@bourse/strategy/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../runner.js';
import { barBase, makeRunner, startHarness, trade, type Harness } from '../test-support.js';
import { migrateRunnerStore } from './pg-state-store.js';

// Versions that cannot drift (issue 21 §2), against the real PostgreSQL and NATS: a user's strategy in
// a folder outside the repository, loaded from a strategies file as start.ts loads it, its code hash
// checked against the runner's `strategy_code` table as start.ts checks it.

const TradeContract = { name: 'Trade', schema: Trade };

const strategy = (version: string) => `
import { z } from 'zod';
import { defineStrategy } from '@bourse/strategy';
import { above } from './lib/levels.ts';

export default defineStrategy({
  name: 'drifty',
  version: '${version}',
  params: z.strictObject({ level: z.number(), qty: z.string() }),
  timeframes: ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(params) {
    let done = false;
    return {
      onBar(bar) {
        if (done || !above(bar.close, params.level)) return [];
        done = true;
        return [{ instrument: bar.symbol, side: 'BUY', qty: params.qty, style: 'market' }];
      },
    };
  },
});
`;

let h: Harness;
let db: TestDatabase;
beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  db = await createTestDatabase();
  await migrateRunnerStore(db.pool);
});
afterAll(async () => {
  await h.close();
  await db.drop();
});

/** A folder with the strategy, its helper and a strategies file running it as `id` beside a built-in. */
function userFolder(id: string, version = '1.0.0'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-runner-drift-'));
  mkdirSync(join(dir, 'strategies', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'strategies', 'lib', 'levels.ts'), 'export const above = (x: number, l: number) => x > l;\n');
  writeFileSync(join(dir, 'strategies', 'drifty.ts'), strategy(version));
  const file = join(dir, 'strategies.yaml');
  writeStrategies(file, id, version);
  return { dir, file };
}

function writeStrategies(file: string, id: string, version: string): void {
  writeFileSync(
    file,
    `strategies:
  - module: ./strategies/drifty.ts
    id: ${id}
    version: ${version}
    venue: binance
    instruments: [DOT/USDT]
    params: { level: 100, qty: "0.5" }
  - name: sma-cross
    id: steady
    version: 1.0.0
    venue: binance
    instruments: [LTC/USDT]
    params: { fast: 2, slow: 3, sizing: { kind: qty, qty: "1" } }
`,
  );
}

const edit = (path: string, from: string, to: string) =>
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));

async function recorded(id: string, version: string): Promise<{ code_hash: string; replaced_hash: string | null }[]> {
  const r = await db.pool.query<{ code_hash: string; replaced_hash: string | null }>(
    'SELECT code_hash, replaced_hash FROM strategy_code WHERE strategy_id = $1 AND strategy_version = $2',
    [id, version],
  );
  return r.rows;
}

async function changes(registry: Registry): Promise<[string, string, string, number][]> {
  const values = (await registry.getSingleMetric('bourse_strategy_code_changes_total')?.get())?.values ?? [];
  return values.map((v) => [
    String(v.labels['strategy']),
    String(v.labels['version']),
    String(v.labels['outcome']),
    v.value,
  ]);
}

const hashOf = async (dir: string) =>
  (await loadStrategy({ kind: 'module', module: './strategies/drifty.ts', baseDir: dir })).codeHash;

describe('strategy runner: versions that cannot drift', () => {
  it('records the code hash the first time, runs the same code again, and its intents carry the hash', async () => {
    const { dir, file } = userFolder('drift-a');
    const hash = await hashOf(dir);
    const first = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    expect(
      first.logs.entries().some((e) => String(e['msg']).includes('drift-a version 1.0.0: code hash recorded')),
    ).toBe(true);
    expect(await recorded('drift-a', '1.0.0')).toEqual([{ code_hash: hash, replaced_hash: null }]);

    const again = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    expect(again.logs.entries().filter((e) => String(e['msg']).startsWith('strategy refused'))).toEqual([]);
    await again.runner.start();
    await again.waitFor(
      (e) => e.type === 'acquired' && e.instrument.symbol === 'DOT/USDT',
      10_000,
      'the drift strategy’s instrument',
    );
    const base = barBase();
    ['99', '101', '102'].forEach((price, i) =>
      h.bus.publish(
        h.subjects.md.trade('binance', 'DOTUSDT'),
        TradeContract,
        trade('DOT/USDT', price, base + i * 1000, i),
      ),
    );
    const published = (await again.waitFor(
      (e) => e.type === 'published' && e.intent.strategyId === 'drift-a',
      10_000,
      'an intent of drift',
    )) as Extract<RunnerEvent, { type: 'published' }>;
    expect(await h.intentAt(published.seq)).toMatchObject({
      strategyId: 'drift-a',
      strategyVersion: '1.0.0',
      codeHash: hash,
      instrument: 'DOT/USDT',
    });
    await again.runner.stop();
  });

  it('refuses a changed helper under an unchanged version, naming id, version and both hashes, and runs the others', async () => {
    const { dir, file } = userFolder('drift-b');
    const before = await hashOf(dir);
    await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    edit(join(dir, 'strategies', 'lib', 'levels.ts'), 'x > l', 'x >= l');
    const after = await hashOf(dir);
    expect(after).not.toBe(before);

    const registry = new Registry();
    const r = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool }, registry });
    const refused = r.logs.entries().filter((e) => String(e['msg']).startsWith('strategy refused'));
    expect(refused.map((e) => [e['strategy'], e['version'], e['code']])).toEqual([
      ['drift-b', '1.0.0', 'STRATEGY_CODE_CHANGED'],
    ]);
    const message = String(refused[0]?.['msg']);
    expect(message).toContain('strategy drift-b version 1.0.0');
    expect(message).toContain(before.slice(0, 12));
    expect(message).toContain(after.slice(0, 12));
    expect(message).toContain('bump the strategy');
    expect(await changes(registry)).toEqual([['drift-b', '1.0.0', 'refused', 1]]);
    // The recorded hash stays the first one: refusing does not move it.
    expect(await recorded('drift-b', '1.0.0')).toEqual([{ code_hash: before, replaced_hash: null }]);

    // The other strategy of the file runs; the refused one's instrument (DOT, first in lease order) is not taken.
    await r.runner.start();
    await r.waitFor((e) => e.type === 'acquired' && e.instrument.symbol === 'LTC/USDT', 10_000, 'LTC/USDT');
    expect(r.runner.ownedInstruments().map((i) => i.symbol)).toEqual(['LTC/USDT']);
    await r.runner.stop();
  });

  it('a one-character edit of the module itself is refused too', async () => {
    const { dir, file } = userFolder('drift-c');
    await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    edit(join(dir, 'strategies', 'drifty.ts'), 'done = true;', 'done = !0;');
    const r = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    expect(r.logs.entries().filter((e) => e['code'] === 'STRATEGY_CODE_CHANGED')).toHaveLength(1);
  });

  it('runs changed code when allowed (development), recording the new hash with a warning', async () => {
    const { dir, file } = userFolder('drift-d');
    const before = await hashOf(dir);
    await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    edit(join(dir, 'strategies', 'lib', 'levels.ts'), 'x > l', 'x > l + 0');
    const after = await hashOf(dir);

    const registry = new Registry();
    const r = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool, allowChanged: true }, registry });
    expect(r.logs.entries().filter((e) => String(e['msg']).startsWith('strategy refused'))).toEqual([]);
    const warned = r.logs.entries().filter((e) => String(e['msg']).includes('runs changed code'));
    expect(warned.map((e) => [e['strategy'], e['replacedHash'], e['codeHash']])).toEqual([['drift-d', before, after]]);
    expect(await changes(registry)).toEqual([['drift-d', '1.0.0', 'allowed', 1]]);
    expect(await recorded('drift-d', '1.0.0')).toEqual([{ code_hash: after, replaced_hash: before }]);

    // The new hash is now the recorded one: a plain start with it runs.
    const plain = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    expect(plain.logs.entries().filter((e) => e['code'] === 'STRATEGY_CODE_CHANGED')).toEqual([]);
  });

  it('a changed file with a bumped version is recorded under the new version and runs', async () => {
    const { dir, file } = userFolder('drift-e');
    await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    writeFileSync(join(dir, 'strategies', 'drifty.ts'), strategy('1.0.1'));
    writeStrategies(file, 'drift-e', '1.0.1');
    const r = await makeRunner(h, { strategiesFile: file, codeStore: { db: db.pool } });
    expect(r.logs.entries().filter((e) => e['code'] === 'STRATEGY_CODE_CHANGED')).toEqual([]);
    expect(await recorded('drift-e', '1.0.1')).toEqual([{ code_hash: await hashOf(dir), replaced_hash: null }]);
  });
});
