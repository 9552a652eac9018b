// Scaling strategy runners per instrument, with real processes: three instruments, the market moving
// (a trade per instrument every BAR_MS, each in the next 1-second bar, prices zigzagging so that
// sma-cross 1/2 long-short decides on every closed bar), and `strategy-runner` processes scaled
// 1 → 3 → 1 the way Kubernetes does it (new pods start; removed pods get SIGTERM). What must hold:
//   - at 3 replicas each runner holds exactly one instrument;
//   - at no moment do two runners hold one instrument (from the processes' own acquired/released
//     lines), and no decision is emitted twice (every intent's bar is unique per instrument);
//   - an instrument handed over is evaluated again within the lease time.
// It prints the hand-over gap per instrument: the last intent of the old owner to the first of the new.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connectBus, type Bus } from '@bourse/bus';
import { removeTestNamespace, TEST_STREAMS } from '@bourse/bus/testing';
import { createSubjects, Intent, Quote, Trade, TradingState, type Subjects } from '@bourse/contracts';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { createLogger } from '@bourse/telemetry';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerProcess, untilAll, type Holding } from './runner-process.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const LEASE_TTL_MS = 3_000;
const LEASE_RENEW_MS = 500;
const LEASE_MARGIN_MS = 800;
/** Real time between two trades of one instrument; each trade opens the next 1 s bar. */
const BAR_MS = 200;
/** Process start, NATS connect, claiming: generous on a shared 2-core machine. */
const START_TIMEOUT_MS = 60_000;
/** A clean hand-over needs one renew round; the rest is scheduling slack. */
const HANDOVER_TIMEOUT_MS = LEASE_TTL_MS + LEASE_RENEW_MS + 5_000;

const INSTRUMENTS = [
  { symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' },
  { symbol: 'ETH/USDT', venueSymbol: 'ETHUSDT' },
  { symbol: 'SOL/USDT', venueSymbol: 'SOLUSDT' },
] as const;

const STRATEGIES = `
strategies:
  - name: sma-cross
    id: sma-scale
    version: 1.0.0
    venue: binance
    instruments: [${INSTRUMENTS.map((i) => i.symbol).join(', ')}]
    params: { fast: 1, slow: 2, timeframe: 1s, mode: long-short, sizing: { kind: qty, qty: "0.01" } }
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
    service: 'runner-scaling-test',
    subjects,
    logger: createLogger({ service: 'runner-scaling-test', level: 'silent' }),
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
    reason: 'runner scaling test',
    setBy: 'test',
    updatedAt: Date.now(),
  });
  // The runners keep strategies' states in PostgreSQL: a database of this file's own.
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'bourse-runner-scaling-'));
  await writeFile(join(dir, 'strategies.yaml'), STRATEGIES);
});

afterAll(async () => {
  if (market !== undefined) clearInterval(market);
  for (const r of runners) r.kill();
  await Promise.all(runners.map((r) => r.stop()));
  await bus?.drain();
  await nc?.close();
  if (subjects !== undefined) await removeTestNamespace(subjects, NATS_URL);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

function startRunner(id: string): RunnerProcess {
  const runner = new RunnerProcess(id, {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL: db.url,
    BOURSE_NAMESPACE: subjects.prefix.replace(/\.$/, ''),
    STRATEGIES_FILE: join(dir, 'strategies.yaml'),
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    LEASE_RENEW_MS: String(LEASE_RENEW_MS),
    LEASE_MARGIN_MS: String(LEASE_MARGIN_MS),
    STALE_AFTER_MS: '60000',
    // No warm quotes from another run's snapshots; no venue for specs or history.
    MD_REDIS_PREFIX: `${subjects.prefix}md:`,
    RUNNER_VENUE_TARGET: 'none',
    REQUIRE_RECONCILIATION: 'false',
    OPS_PORT: '0',
    // The releases on a clean stop are logged at debug (shutdown detail); the test needs them to see who held what.
    LOG_LEVEL: 'debug',
  });
  runners.push(runner);
  return runner;
}

/** A trade per instrument every BAR_MS, each in the next 1 s bar, prices alternating 10 and 12. */
function startMarket(): void {
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  let n = 0;
  market = setInterval(() => {
    n += 1;
    for (const { symbol, venueSymbol } of INSTRUMENTS) {
      const price = n % 2 === 0 ? '10' : '12';
      bus.publish(subjects.md.trade('binance', venueSymbol), TradeContract, {
        v: 1,
        venue: 'binance',
        instrument: symbol,
        venueTradeId: String(n),
        price,
        qty: '1',
        aggressor: 'BUY',
        venueTime: base + n * 1000,
        receivedAt: Date.now(),
      });
      bus.publish(subjects.md.quote('binance', venueSymbol), QuoteContract, {
        v: 1,
        venue: 'binance',
        instrument: symbol,
        bidPrice: '10.9',
        bidQty: '1',
        askPrice: '11.1',
        askQty: '1',
        receivedAt: Date.now(),
      });
    }
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

/** Waits until every instrument has an intent created after `since`. */
async function evaluatedAfter(since: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recent = new Set((await intents()).filter((i) => i.createdAt > since).map((i): string => i.instrument));
    if (INSTRUMENTS.every((i) => recent.has(i.symbol))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; evaluated: ${[...recent].join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, BAR_MS));
  }
}

describe('strategy runners scaled 1 → 3 → 1 while the market moves', () => {
  it('hold each instrument in exactly one runner, decide each bar once, and resume a handed-over instrument within the lease time', async () => {
    startMarket();
    const all = INSTRUMENTS.map((i) => i.symbol).sort();

    // 1 replica: it takes all three.
    const first = startRunner('runner-1');
    await first.until(() => first.held().length === 3, START_TIMEOUT_MS, 'runner-1 to hold all three');
    await evaluatedAfter(Date.now(), HANDOVER_TIMEOUT_MS, 'every instrument evaluated by runner-1');

    // 3 replicas: one instrument each.
    const second = startRunner('runner-2');
    const third = startRunner('runner-3');
    const three = [first, second, third];
    await untilAll(
      three,
      () => three.every((r) => r.held().length === 1),
      START_TIMEOUT_MS,
      'one instrument in each of three runners',
    );
    expect(three.flatMap((r) => r.held()).sort()).toEqual(all);
    const spreadAt = Date.now();
    await evaluatedAfter(spreadAt, HANDOVER_TIMEOUT_MS, 'every instrument evaluated after the spread');

    // Back to 1: the two new pods are stopped; runner-1 takes their instruments back.
    await Promise.all([second.stop(), third.stop()]);
    expect(second.held()).toEqual([]);
    expect(third.held()).toEqual([]);
    await first.until(() => first.held().length === 3, HANDOVER_TIMEOUT_MS, 'runner-1 to hold all three again');
    await evaluatedAfter(Date.now(), HANDOVER_TIMEOUT_MS, 'every instrument evaluated by runner-1 again');

    clearInterval(market);
    market = undefined;
    expect(await first.stop()).toBe(0);
    const decided = await intents();

    // Never two holders at once: per instrument, each holding starts after the previous one ended.
    const holdings = runners.flatMap((r) => r.holdings).sort((a, b) => a.from - b.from);
    for (const instrument of all) {
      const mine = holdings.filter((h) => h.instrument === instrument);
      for (const [prev, next] of mine.slice(1).map((h, i) => [mine[i] as Holding, h] as const)) {
        expect(prev.to, `${instrument}: ${prev.runner} never released before ${next.runner} acquired`).toBeDefined();
        expect(next.from, `${instrument}: ${next.runner} acquired while ${prev.runner} held it`).toBeGreaterThanOrEqual(
          prev.to as number,
        );
      }
    }

    // Each decision once: one intent per instrument and bar.
    expect(decided.length).toBeGreaterThan(INSTRUMENTS.length * 6);
    const keys = decided.map((i) => `${i.instrument} ${i.inputs['barTime']}`);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(twice, `decided twice: ${twice.join(', ')}`).toEqual([]);

    // Hand-overs: from the old owner's last intent to the new owner's first, per instrument.
    const rows: string[] = [];
    for (const h of holdings) {
      // The holding this one took over from: the latest to end before it began.
      const before = holdings
        .filter((p) => p !== h && p.instrument === h.instrument && p.to !== undefined && p.to <= h.from)
        .sort((a, b) => (a.to as number) - (b.to as number))
        .at(-1);
      if (before === undefined) continue;
      const ofInstrument = decided.filter((i) => i.instrument === h.instrument);
      const lastOld = ofInstrument.filter((i) => i.createdAt <= (before.to as number)).at(-1);
      const firstNew = ofInstrument.find((i) => i.createdAt >= h.from);
      expect(firstNew, `${h.instrument}: no evaluation after ${h.runner} took it over`).toBeDefined();
      const gap = (firstNew?.createdAt ?? 0) - (lastOld?.createdAt ?? before.to ?? 0);
      rows.push(
        `${h.instrument.padEnd(9)} ${before.runner} → ${h.runner}: released→acquired ${h.from - (before.to as number)} ms, ` +
          `last→first evaluation ${gap} ms (lease TTL ${LEASE_TTL_MS} ms)`,
      );
      expect(gap, `${h.instrument} hand-over from ${before.runner} to ${h.runner}`).toBeLessThan(LEASE_TTL_MS);
    }
    console.log(`hand-over gaps:\n${rows.join('\n')}`);
    // 1 → 3 hands two instruments over, 3 → 1 hands them back.
    expect(rows.length).toBeGreaterThanOrEqual(4);
  }, 240_000);
});
