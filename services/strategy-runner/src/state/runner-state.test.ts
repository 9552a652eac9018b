import { Registry } from 'prom-client';
import { createPool, ensureDatabase } from '@bourse/store';
import { createTestDatabase, dropDatabase, type TestDatabase } from '@bourse/store/testing';
import { Trade } from '@bourse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../runner.js';
import { barBase, makeRunner, startHarness, type Harness } from '../test-support.js';
import { entryOnce } from './entry-once.fixture.js';
import { migrateRunnerStore, PgStateStore } from './pg-state-store.js';

// The runner shell with its PostgreSQL state store, in process against the real NATS and PostgreSQL:
// an unusable stored state refuses that strategy (logged with its code, counted) while the others on
// the instrument trade; a store that cannot be read keeps the instrument from starting until it can.

const TradeContract = { name: 'Trade', schema: Trade };

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

const yaml = (symbol: string, ids: readonly string[]) => `
strategies:
${ids
  .map(
    (id) => `  - name: entry-once
    id: ${id}
    version: 1.0.0
    venue: binance
    instruments: [${symbol}]
    params: { hold: 100 }`,
  )
  .join('\n')}
`;

/** One trade per 1 s bar from `base`: each closes the bar before it. */
/** Trade ids stay unique across calls: a repeated id may be taken for a duplicate delivery. */
let lastTradeId = 0;

function tradeBars(venueSymbol: string, symbol: string, count: number, base: number): void {
  for (let n = 0; n < count; n += 1) {
    h.bus.publish(h.subjects.md.trade('binance', venueSymbol), TradeContract, {
      v: 1,
      venue: 'binance',
      instrument: symbol,
      venueTradeId: String((lastTradeId += 1)),
      price: '10',
      qty: '1',
      aggressor: 'BUY',
      venueTime: base + n * 1000,
      receivedAt: Date.now(),
    });
  }
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (m === undefined) return 0;
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
}

describe('strategy runner with its state store', () => {
  it('refuses a strategy whose stored state is corrupt, logs and counts it, and runs the others', async () => {
    await db.pool.query(
      `INSERT INTO strategy_state (strategy_id, venue, symbol, generation, holder, format, state, seq, strategy_version)
       VALUES ('bad', 'binance', 'ADA/USDT', 3, 'gone', 1, '{"phase": ["in"]}', 9, '1.0.0')`,
    );
    const registry = new Registry();
    const r = await makeRunner(h, {
      strategiesYaml: yaml('ADA/USDT', ['good', 'bad']),
      definitions: { 'entry-once': entryOnce },
      stateStore: new PgStateStore(db.pool),
      registry,
    });
    await r.runner.start();
    try {
      await r.waitFor((e) => e.type === 'acquired', 15_000, 'ADA/USDT acquired');
      const refused = r.events.find(
        (e): e is Extract<RunnerEvent, { type: 'notice' }> => e.type === 'notice' && e.notice.kind === 'state-refused',
      );
      expect(refused?.notice).toMatchObject({ strategyId: 'bad', venueSymbol: 'ADAUSDT' });
      const line = r.logs.entries().find((e) => String(e['msg']).startsWith('strategy not started'));
      expect(line).toMatchObject({ level: 'error', strategyId: 'bad', code: 'STORED_STATE_INVALID' });
      expect(String(line?.['msg'])).toContain('phase');
      expect(await metric(registry, 'bourse_strategy_state_refused_total', { strategy: 'bad' })).toBe(1);

      // The good one trades on the first closed bar, and its state is written; the bad one does neither.
      // The bars are an hour old, so the second closes on the runner's clock: the good one's last write
      // for these two bars is its second (held one bar).
      tradeBars('ADAUSDT', 'ADA/USDT', 2, barBase());
      await r.waitFor(
        (e) => e.type === 'state-written' && e.strategyId === 'good' && e.seq === 2 && e.outcome === 'saved',
        10_000,
        "good's second state written",
      );
      await r.waitFor((e) => e.type === 'published' && e.intent.strategyId === 'good', 10_000, "good's entry");
      expect(r.events.some((e) => e.type === 'published' && e.intent.strategyId === 'bad')).toBe(false);
      const rows = await db.pool.query<{ strategy_id: string; state: unknown; seq: string }>(
        `SELECT strategy_id, state, seq FROM strategy_state WHERE symbol = 'ADA/USDT' ORDER BY strategy_id`,
      );
      // The corrupt row is left as it was found, for someone to look at (its claim raised the generation only).
      expect(rows.rows).toEqual([
        { strategy_id: 'bad', state: { phase: ['in'] }, seq: '9' },
        { strategy_id: 'good', state: { phase: 'in', held: '1' }, seq: '2' },
      ]);
    } finally {
      await r.runner.stop();
    }
  });

  it('claims again and writes over a stale claim while it holds the lease', async () => {
    const r = await makeRunner(h, {
      strategiesYaml: yaml('XRP/USDT', ['holder']),
      definitions: { 'entry-once': entryOnce },
      stateStore: new PgStateStore(db.pool),
      replicaId: 'holder-replica',
    });
    await r.runner.start();
    try {
      await r.waitFor((e) => e.type === 'acquired', 15_000, 'XRP/USDT acquired');
      const base = barBase();
      tradeBars('XRPUSDT', 'XRP/USDT', 2, base);
      await r.waitFor((e) => e.type === 'published' && e.intent.strategyId === 'holder', 10_000, 'the entry');
      // The bars are an hour old: the open one closes on the runner's clock, with no trade after it.
      // Waiting for that write first leaves no write in flight when the late claim lands.
      const written = (seq: number) =>
        r.waitFor(
          (e): e is Extract<RunnerEvent, { type: 'state-written' }> => e.type === 'state-written' && e.seq === seq,
          10_000,
          `state write ${seq}`,
        );
      expect((await written(2)).outcome).toBe('saved');
      expect(r.logs.text()).not.toContain('claiming it again');
      // A runner whose lease has gone claims late (its claim was slow to reach the database).
      await new PgStateStore(db.pool).claim([{ strategyId: 'holder', venue: 'binance', symbol: 'XRP/USDT' }], 'late');
      tradeBars('XRPUSDT', 'XRP/USDT', 1, base + 2_000);
      expect((await written(3)).outcome).toBe('saved');
      expect(r.logs.text()).toContain('strategy state claimed by a runner without the lease; claiming it again');
      const row = await db.pool.query<{ holder: string; generation: string; state: unknown; seq: string }>(
        `SELECT holder, generation, state, seq FROM strategy_state WHERE strategy_id = 'holder'`,
      );
      expect(row.rows).toHaveLength(1);
      expect(row.rows[0]).toMatchObject({ generation: '3', seq: '3', state: { phase: 'in', held: '2' } });
      expect(row.rows[0]?.holder).toMatch(/^holder-replica\//);
    } finally {
      await r.runner.stop();
    }
  });

  it('does not start an instrument while its states cannot be read, and starts it once they can', async () => {
    const lost = await createTestDatabase();
    const pool = createPool(lost.url, { max: 2 });
    // The pool's connections die with the database; what matters is that queries then fail.
    pool.on('error', () => undefined);
    await migrateRunnerStore(pool);
    await pool.query(
      `INSERT INTO strategy_state (strategy_id, venue, symbol, generation, holder, format, state, seq, strategy_version)
       VALUES ('keeps', 'binance', 'DOT/USDT', 1, 'before', 1, '{"phase": "in", "held": "4"}', 5, '1.0.0')`,
    );
    await lost.drop();
    const registry = new Registry();
    const r = await makeRunner(h, {
      strategiesYaml: yaml('DOT/USDT', ['keeps']),
      definitions: { 'entry-once': entryOnce },
      stateStore: new PgStateStore(pool),
      registry,
    });
    await r.runner.start();
    try {
      const failed = await r.waitFor(
        (e): e is Extract<RunnerEvent, { type: 'state-load-failed' }> => e.type === 'state-load-failed',
        15_000,
        'the failed load',
      );
      expect(failed.reason).toContain('strategy state claim failed');
      const line = r.logs.entries().find((e) => String(e['msg']).startsWith('strategy state not loaded'));
      expect(line).toMatchObject({ level: 'error', instrument: 'DOT/USDT' });
      expect(r.events.some((e) => e.type === 'acquired')).toBe(false);
      expect(await metric(registry, 'bourse_strategy_state_load_failures_total')).toBeGreaterThanOrEqual(1);

      // The database is back (restored from a backup, say): the next retry loads the state and starts.
      await ensureDatabase(lost.url);
      await migrateRunnerStore(pool);
      await pool.query(
        `INSERT INTO strategy_state (strategy_id, venue, symbol, generation, holder, format, state, seq, strategy_version)
         VALUES ('keeps', 'binance', 'DOT/USDT', 1, 'before', 1, '{"phase": "in", "held": "4"}', 5, '1.0.0')`,
      );
      const restored = await r.waitFor(
        (e): e is Extract<RunnerEvent, { type: 'state-restored' }> => e.type === 'state-restored',
        15_000,
        'the state restored',
      );
      expect(restored).toMatchObject({ strategyId: 'keeps', seq: 5 });
      await r.waitFor((e) => e.type === 'acquired', 5_000, 'DOT/USDT acquired');
    } finally {
      await r.runner.stop();
      await pool.end();
      await dropDatabase(lost.url);
    }
  });
});
