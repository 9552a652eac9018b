// A strategy's own state survives a kill -9 of its runner, with real processes, NATS and PostgreSQL.
// Two `strategy-runner` processes (the service's own main.ts; the test's entry-once strategy is a module: entry),
// one instrument, the market closing a 1-second bar every BAR_MS. runner-1 holds the instrument; the
// strategy enters (one BUY) and counts the bars it holds, each count written to PostgreSQL; runner-2
// waits on standby. runner-1 is killed with SIGKILL mid-session; runner-2 takes the lease when it
// expires, restores the state, and continues the count: no second BUY (no repeated entry), and the
// exit (SELL) after HOLD bars in all, counted across both runners (no forgotten position intent).
// No OMS runs, so positions stay flat: the only memory of the entry is the strategy's state.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectBus, type Bus } from '@bourse/bus';
import { removeTestNamespace, TEST_STREAMS } from '@bourse/bus/testing';
import { createSubjects, Intent, Quote, Trade, TradingState, type Subjects } from '@bourse/contracts';
import { namespaceSchema, quoteIdentifier } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { createLogger } from '@bourse/telemetry';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerProcess, type LogEntry } from '../runner-process.js';

const ENTRY = fileURLToPath(new URL('../main.ts', import.meta.url));
// The test's strategy is a user's module, loaded as any user's strategy file is.
const ENTRY_ONCE = fileURLToPath(new URL('./entry-once.fixture.ts', import.meta.url));
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const LEASE_TTL_MS = 3_000;
const LEASE_RENEW_MS = 500;
const LEASE_MARGIN_MS = 800;
/** Real time between two trades; each opens the next 1 s bar, so a bar closes every BAR_MS. */
const BAR_MS = 200;
/** Bars the strategy holds its entry before it exits. */
const HOLD = 12;
/** State writes runner-1 must have made before it is killed: the entry and three held bars. */
const SAVED_BEFORE_KILL = 4;
/** Process start, NATS and PostgreSQL connect, migrations, claiming: generous on a shared 2-core machine. */
const START_TIMEOUT_MS = 60_000;
/** A dead holder's lease expires after the TTL; the standby claims it on its next round. */
const TAKEOVER_TIMEOUT_MS = LEASE_TTL_MS + LEASE_RENEW_MS + 10_000;

const STRATEGIES = `
strategies:
  - module: ${ENTRY_ONCE}
    export: entryOnce
    id: once
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT]
    params: { hold: ${HOLD} }
`;

const TradeContract = { name: 'Trade', schema: Trade };
const QuoteContract = { name: 'Quote', schema: Quote };

let subjects: Subjects;
let bus: Bus;
let nc: NatsConnection;
let jsm: JetStreamManager;
let dir: string;
let db: TestDatabase;
let market: NodeJS.Timeout | undefined;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  subjects = createSubjects(`t_${randomBytes(5).toString('hex')}`);
  bus = await connectBus({
    service: 'runner-state-test',
    subjects,
    logger: createLogger({ service: 'runner-state-test', level: 'silent' }),
    registry: new Registry(),
    servers: NATS_URL,
    streams: TEST_STREAMS,
  });
  await bus.ensureStreams();
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
  const states = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  await states.put('global', {
    v: 1,
    scope: { kind: 'global' },
    mode: 'ACTIVE',
    reason: 'runner state test',
    setBy: 'test',
    updatedAt: Date.now(),
  });
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'bourse-runner-state-'));
  await writeFile(join(dir, 'strategies.yaml'), STRATEGIES);
});

afterAll(async () => {
  if (market !== undefined) clearInterval(market);
  for (const r of runners) r.kill();
  await Promise.all(runners.map((r) => r.exited()));
  await bus?.drain();
  await nc?.close();
  if (subjects !== undefined) await removeTestNamespace(subjects, NATS_URL);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

function namespace(): string {
  return subjects.prefix.replace(/\.$/, '');
}

function startRunner(id: string): RunnerProcess {
  const runner = new RunnerProcess(
    id,
    {
      NATS_URL,
      REDIS_URL,
      DATABASE_URL: db.url,
      BOURSE_NAMESPACE: namespace(),
      STRATEGIES_FILE: join(dir, 'strategies.yaml'),
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      LEASE_RENEW_MS: String(LEASE_RENEW_MS),
      LEASE_MARGIN_MS: String(LEASE_MARGIN_MS),
      STALE_AFTER_MS: '60000',
      MD_REDIS_PREFIX: `${subjects.prefix}md:`,
      RUNNER_VENUE_TARGET: 'none',
      REQUIRE_RECONCILIATION: 'false',
      OPS_PORT: '0',
      // Each state write is logged at debug once PostgreSQL has it: the test waits on those lines.
      LOG_LEVEL: 'debug',
    },
    ENTRY,
  );
  runners.push(runner);
  return runner;
}

/** A trade every BAR_MS, each in the next 1 s bar (closing the one before), and a fresh quote. */
function startMarket(): void {
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  let n = 0;
  market = setInterval(() => {
    n += 1;
    bus.publish(subjects.md.trade('binance', 'BTCUSDT'), TradeContract, {
      v: 1,
      venue: 'binance',
      instrument: 'BTC/USDT',
      venueTradeId: String(n),
      price: n % 2 === 0 ? '10' : '12',
      qty: '1',
      aggressor: 'BUY',
      venueTime: base + n * 1000,
      receivedAt: Date.now(),
    });
    bus.publish(subjects.md.quote('binance', 'BTCUSDT'), QuoteContract, {
      v: 1,
      venue: 'binance',
      instrument: 'BTC/USDT',
      bidPrice: '10.9',
      bidQty: '1',
      askPrice: '11.1',
      askQty: '1',
      receivedAt: Date.now(),
    });
  }, BAR_MS);
}

async function intents(): Promise<Intent[]> {
  const count = (await jsm.streams.info(subjects.streams.INTENTS)).state.last_seq;
  const out: Intent[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const m = await jsm.streams.getMessage(subjects.streams.INTENTS, { seq });
    if (m !== null) out.push(Intent.parse(m.json()));
  }
  return out;
}

const saved = (r: RunnerProcess): LogEntry[] => r.logged('strategy state saved');
const published = (r: RunnerProcess, side: string): LogEntry[] =>
  r.logged('intent published').filter((e) => e['side'] === side);

describe('a strategy state across a kill -9 of its runner', () => {
  it('is restored by the runner that takes the instrument over: no second entry, and the exit when due', async () => {
    const first = startRunner('runner-1');
    await first.until(() => first.held().includes('BTC/USDT'), START_TIMEOUT_MS, 'runner-1 to hold BTC/USDT');
    const second = startRunner('runner-2');
    await second.until(() => second.logged('strategy-runner ready').length > 0, START_TIMEOUT_MS, 'runner-2 ready');
    expect(second.held()).toEqual([]);

    startMarket();
    await first.until(
      () => saved(first).length >= SAVED_BEFORE_KILL,
      START_TIMEOUT_MS,
      `runner-1 to write its state ${SAVED_BEFORE_KILL} times`,
    );
    first.kill();
    await first.exited();
    // Every write runner-1 logged had been committed; more may have landed before the kill did.
    const lastSaved = Math.max(...saved(first).map((e) => Number(e['seq'])));
    expect(published(first, 'BUY')).toHaveLength(1);
    expect(published(first, 'SELL')).toHaveLength(0);

    await second.until(
      () => second.logged('strategy state restored').length > 0,
      TAKEOVER_TIMEOUT_MS,
      'runner-2 to take BTC/USDT over and restore the state',
    );
    const restored = second.logged('strategy state restored')[0] as LogEntry;
    expect(restored).toMatchObject({ strategyId: 'once', instrument: 'BTC/USDT', state: { phase: 'in' } });
    expect(Number(restored['seq'])).toBeGreaterThanOrEqual(lastSaved);
    const heldAtRestore = Number((restored['state'] as Record<string, string>)['held']);
    expect(heldAtRestore).toBeGreaterThanOrEqual(SAVED_BEFORE_KILL - 1);
    expect(heldAtRestore).toBeLessThan(HOLD);

    await second.until(
      () => published(second, 'SELL').length > 0,
      TAKEOVER_TIMEOUT_MS + HOLD * BAR_MS,
      'the exit from runner-2',
    );
    await second.until(
      () => saved(second).some((e) => (e['state'] as Record<string, string>)['phase'] === 'out'),
      TAKEOVER_TIMEOUT_MS,
      'runner-2 to write the exited state',
    );
    clearInterval(market);
    market = undefined;
    expect(await second.stop()).toBe(0);

    // One entry and one exit in the intents stream, the exit at HOLD bars counted across both runners.
    const decided = (await intents()).filter((i) => i.strategyId === 'once');
    expect(decided.map((i) => i.side)).toEqual(['BUY', 'SELL']);
    expect(decided[1]?.reduceOnly).toBe(true);
    expect(decided[1]?.inputs['held']).toBe(String(HOLD));
    // runner-2 counted only the bars after the restore: the rest came with the state.
    expect(published(second, 'BUY')).toHaveLength(0);
    expect(saved(second)).toHaveLength(HOLD - heldAtRestore);

    const table = `${quoteIdentifier(namespaceSchema(namespace()) ?? 'public')}.strategy_state`;
    const rows = await db.pool.query<{ state: unknown; seq: string; holder: string; generation: string }>(
      `SELECT state, seq, holder, generation FROM ${table} WHERE strategy_id = 'once' AND symbol = 'BTC/USDT'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ state: { phase: 'out', held: String(HOLD) }, generation: '2' });
    expect(rows.rows[0]?.holder).toMatch(/^runner-2\//);
    expect(Number(rows.rows[0]?.seq)).toBe(Number(restored['seq']) + HOLD - heldAtRestore);

    // Versions that cannot drift, through start.ts: the first runner recorded the module's code hash,
    // the second found the same, and both runners' intents carry it.
    const code = await db.pool.query<{ code_hash: string }>(
      `SELECT code_hash FROM ${quoteIdentifier(namespaceSchema(namespace()) ?? 'public')}.strategy_code
        WHERE strategy_id = 'once' AND strategy_version = '1.0.0'`,
    );
    expect(decided[0]?.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(decided[1]?.codeHash).toBe(decided[0]?.codeHash);
    expect(code.rows).toEqual([{ code_hash: decided[0]?.codeHash }]);
  }, 180_000);
});
