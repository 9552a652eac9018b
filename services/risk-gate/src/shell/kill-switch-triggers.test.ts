// The rejection-burst and stale-feed kill-switch triggers, end to end through the shell: messages on
// the real NATS (own namespace) in, HALTED entries in the real trading-state KV out. The gate's clock
// is moved by hand, so the stale-feed bound passes without waiting for it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import {
  ExecutionEvent,
  FeedStatus,
  TradingState,
  tradingStateKey,
  type FeedState,
  type Subjects,
  type TradingStateScope,
} from '@bourse/contracts';
import { ClientOrderIdGenerator } from '@bourse/domain';
import { migrateOrderManagerStore } from '@bourse/ledger';
import { writeInstrument } from '@bourse/ledger/testing';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { createLogger, createMetrics, type Metrics } from '@bourse/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitsFile } from './limits-file.js';
import { OmsStartupSource } from './oms-startup-source.js';
import { RiskGateService } from './risk-gate-service.js';

const VENUE = 'binance';
const STALE_BOUND_MS = 2_000;
let now = Date.now();
const clock = { now: () => now };
const logger = createLogger({ service: 'risk-gate-test', level: 'silent' });

const LIMITS = `
v: 1
whenGlobalStateMissing: ACTIVE
defaults:
  maxOrderNotional: '1000000'
  priceBandBps: '1000'
  maxQuoteAgeMs: 3600000
  maxOpenOrders: 100
  orderRate: { maxOrders: 1000, windowMs: 1000 }
  rejectionCooldown: { afterRejections: 1000, cooldownMs: 1000 }
  killSwitch:
    rejectionBurst: { count: 3, windowMs: 60000 }
    staleFeedHaltAfterMs: ${STALE_BOUND_MS}
`;

let subjects: Subjects;
let db: TestDatabase;
let bus: Bus;
let kv: TypedKv<TradingState>;
let dir: string;
let service: RiskGateService;
let metrics: Metrics;

/** Resolves when `probe` returns a value (checked every 20 ms), or fails after the timeout. */
function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = async (): Promise<void> => {
      const found = await probe();
      if (found !== undefined) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(() => void check().catch(reject), 20);
    };
    void check().catch(reject);
  });
}

const haltedEntry = (scope: TradingStateScope) =>
  waitFor(`HALTED for ${tradingStateKey(scope)}`, async () => {
    const entry = await kv.get(tradingStateKey(scope));
    return entry?.value.mode === 'HALTED' ? entry : undefined;
  });

async function gauge(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value;
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
}

const ExecContract = { name: 'ExecutionEvent', schema: ExecutionEvent };
const ids = new ClientOrderIdGenerator({ instanceTag: 'kt01', clock: () => now });
let seq = 0;
async function publishStatus(
  strategyId: string,
  status: 'rejected' | 'unknown',
  reason: string,
  rejectedBy?: 'venue' | 'bourse',
): Promise<void> {
  seq++;
  const event = ExecutionEvent.parse({
    v: 1,
    type: 'order-status',
    eventId: `kt-${now}-${seq}`,
    venue: VENUE,
    instrument: 'BTC/USDT',
    clientOrderId: ids.next(strategyId, '1'),
    status,
    filledQty: '0',
    cumulativeQuoteQty: '0',
    reason,
    ...(rejectedBy === undefined ? {} : { rejectedBy }),
    venueTime: now,
  });
  await bus.publishDurable(subjects.exec.status('BTCUSDT'), ExecContract, event, { msgId: event.eventId });
}

function publishFeed(venueSymbol: string, instrument: string, state: FeedState): void {
  bus.publish(
    subjects.md.feedStatus(VENUE, venueSymbol),
    { name: 'FeedStatus', schema: FeedStatus },
    {
      v: 1,
      venue: VENUE,
      instrument,
      state,
      ...(state === 'live' ? {} : { reason: 'no market data for 5000 ms (limit 5000 ms)' }),
      changedAt: now,
    },
  );
}

async function seedInstrument(symbol: string, venueSymbol: string): Promise<void> {
  const [base, quote] = symbol.split('/');
  await writeInstrument(
    db.pool,
    {
      v: 1,
      symbol,
      venue: VENUE,
      venueSymbol,
      base,
      quote,
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      maxQty: '9000',
      minNotional: '5',
      multiplier: '1',
    } as never,
    { rawFilters: [], updatedAt: now - 60_000 },
  );
}

beforeAll(async () => {
  subjects = testSubjects();
  db = await createTestDatabase();
  await migrateOrderManagerStore(db.pool);
  await seedInstrument('BTC/USDT', 'BTCUSDT');
  await seedInstrument('ETH/USDT', 'ETHUSDT');
  dir = await mkdtemp(join(tmpdir(), 'risk-gate-ks-'));
  const limitsPath = join(dir, 'limits.yaml');
  await writeFile(limitsPath, LIMITS);
  bus = await connectBus({
    service: 'risk-gate',
    subjects,
    logger,
    registry: createMetrics({ service: 'risk-gate-bus', defaultMetrics: false }).registry,
    streams: TEST_STREAMS,
    clock,
  });
  await bus.ensureStreams();
  kv = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  metrics = createMetrics({ service: 'risk-gate', defaultMetrics: false });
  service = new RiskGateService({
    bus,
    startup: new OmsStartupSource(db.pool),
    limits: new LimitsFile(limitsPath, 50),
    logger,
    metrics,
    clock,
    venue: VENUE,
    instanceTag: 'kt00',
    killSwitchCheckMs: 50,
  });
  await service.start();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await bus?.drain();
  if (subjects) await removeTestNamespace(subjects);
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('kill-switch triggers on NATS', () => {
  it('halts a strategy after a burst of rejected and unknown orders on EXEC, once per burst', async () => {
    await publishStatus('burst', 'rejected', '-2010: Account has insufficient balance', 'venue');
    await publishStatus('burst', 'unknown', 'TIMEOUT (query-failed): no answer in 10000 ms');
    // The OMS refusing by itself (here for the trading state) is not an API error: it does not count.
    await publishStatus('burst', 'rejected', 'trading is HALTED for global global', 'bourse');
    await waitFor('three events applied', async () =>
      (await counter('bourse_risk_exec_events_total', { outcome: 'applied' })) >= 3 ? true : undefined,
    );
    expect(service.core.burstCount('burst')).toBe(2);
    expect((await kv.get(tradingStateKey({ kind: 'strategy', strategyId: 'burst' })))?.value.mode).toBeUndefined();

    await publishStatus('burst', 'rejected', '-1013: Filter failure: LOT_SIZE');
    const entry = await haltedEntry({ kind: 'strategy', strategyId: 'burst' });
    expect(entry.value).toMatchObject({ scope: { kind: 'strategy', strategyId: 'burst' }, setBy: 'risk-gate' });
    expect(entry.value.reason).toMatch(
      /^rejection burst: 3 rejected or unknown orders of burst within 60000 ms \(limit 3 per 60000 ms\); last: /,
    );
    expect(entry.value.reason).toContain('insufficient balance');
    expect(entry.value.reason).toContain('TIMEOUT');
    expect(entry.value.reason).toContain('LOT_SIZE');

    // Two more rejections: below the next burst's count, so no second trigger and no rewrite.
    await publishStatus('burst', 'rejected', '-2010: again');
    await publishStatus('burst', 'rejected', '-2010: and again');
    await waitFor('six events applied', async () =>
      (await counter('bourse_risk_exec_events_total', { outcome: 'applied' })) >= 6 ? true : undefined,
    );
    expect(service.core.burstCount('burst')).toBe(2);
    const after = await kv.get(tradingStateKey({ kind: 'strategy', strategyId: 'burst' }));
    expect(after?.revision).toBe(entry.revision);
    expect(await counter('bourse_risk_kill_switch_triggers_total', { trigger: 'rejection-burst' })).toBe(1);
    expect(
      await counter('bourse_risk_kill_switch_trips_total', { scope: 'strategy', trigger: 'rejection-burst' }),
    ).toBe(1);
  }, 30_000);

  it('halts an instrument whose feed stays not live past the bound after stale; live before it cancels', async () => {
    publishFeed('BTCUSDT', 'BTC/USDT', 'stale');
    publishFeed('ETHUSDT', 'ETH/USDT', 'stale');
    await waitFor('both stale episodes', () =>
      service.core.feedStaleSince('BTCUSDT') !== undefined && service.core.feedStaleSince('ETHUSDT') !== undefined
        ? true
        : undefined,
    );
    // A reconnect while stale keeps BTC not live; ETH comes back before the bound.
    publishFeed('BTCUSDT', 'BTC/USDT', 'reset');
    now += 1_000;
    publishFeed('ETHUSDT', 'ETH/USDT', 'live');
    await waitFor('ETH live again', () => (service.core.feedStaleSince('ETHUSDT') === undefined ? true : undefined));

    now += STALE_BOUND_MS;
    const entry = await haltedEntry({ kind: 'instrument', symbol: 'BTCUSDT' });
    expect(entry.value).toMatchObject({ scope: { kind: 'instrument', symbol: 'BTCUSDT' }, setBy: 'risk-gate' });
    expect(entry.value.reason).toMatch(
      /^stale feed: market data of BTC\/USDT not live for \d+ ms since it went stale \(limit 2000 ms\); feed: /,
    );
    // The same check has judged ETH too (one pass covers every instrument): nothing to halt there.
    await service.checkKillSwitch();
    expect((await kv.get(tradingStateKey({ kind: 'instrument', symbol: 'ETHUSDT' })))?.value.mode).toBeUndefined();
    expect(service.core.state.tradingState({ kind: 'instrument', symbol: 'BTCUSDT' })?.mode).toBe('HALTED');
    // The operator's gauge follows once the watch delivers the entry the gate wrote.
    await waitFor('bourse_trading_state HALTED for BTCUSDT', async () =>
      (await gauge('bourse_trading_state', { scope: 'instrument', target: 'BTCUSDT' })) === 2 ? true : undefined,
    );

    // Later checks do not trip the same episode again.
    now += 10_000;
    await service.checkKillSwitch();
    expect((await kv.get(tradingStateKey({ kind: 'instrument', symbol: 'BTCUSDT' })))?.revision).toBe(entry.revision);
    expect(await counter('bourse_risk_kill_switch_triggers_total', { trigger: 'stale-feed' })).toBe(1);
  }, 30_000);
});
