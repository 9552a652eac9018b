// A gate that dies after publishing an OrderRequest but before acking the intent, and the fresh gate
// that gets the intent redelivered: on the real NATS (own namespace, a short ack wait) and PostgreSQL
// (own database with the OMS schema, the OMS itself not running). The first gate's decision publish
// never returns (as if the process stopped there), so its intent stays unacked and comes back.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DURABLE_CONSUMERS, connectBus, type Bus, type PublishAck } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import { Intent, OrderRequest, Quote, type Subjects } from '@bourse/contracts';
import { migrateOrderManagerStore } from '@bourse/ledger';
import { writeBalance, writeInstrument } from '@bourse/ledger/testing';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { createLogger, createMetrics, type Metrics } from '@bourse/telemetry';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamDecisionHistory } from './decision-history.js';
import { LimitsFile } from './limits-file.js';
import { OmsStartupSource } from './oms-startup-source.js';
import { RiskGateService } from './risk-gate-service.js';

const VENUE = 'binance';
const EXPIRY_MS = 300_000;
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
`;
/** The intents consumer with a short ack wait, so the dead gate's unacked intent comes back quickly. */
const INTENTS = { ...DURABLE_CONSUMERS.riskGateIntents, ackWaitMs: 1_000 };

let subjects: Subjects;
let db: TestDatabase;
let bus: Bus;
let nc: NatsConnection;
let dir: string;
let limitsPath: string;
const started: RiskGateService[] = [];
let releaseDead: () => void = () => undefined;

interface Published {
  readonly subject: string;
  readonly message: unknown;
  readonly ack: PublishAck;
}

/** Resolves when `probe` returns a value (checked every 20 ms), or fails after the timeout. */
function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = probe();
      if (found !== undefined) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 20);
    };
    check();
  });
}

/**
 * The bus as one gate sees it: every durable publish recorded; with `dieOnDecision`, a RiskDecision
 * is published and then the call never returns (until released), so the intent is never acked.
 */
function gateBus(published: Published[], dieOnDecision: Promise<void> | undefined): Bus {
  return new Proxy(bus, {
    get(target, key, receiver) {
      if (key !== 'publishDurable') {
        // Methods run on the real bus (it keeps private fields a proxy cannot reach).
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (...args: Parameters<Bus['publishDurable']>) => {
        const ack = await target.publishDurable(...args);
        published.push({ subject: args[0], message: args[2], ack });
        if (dieOnDecision && args[0].startsWith(subjects.riskDecision('alpha'))) await dieOnDecision;
        return ack;
      };
    },
  });
}

function newGate(gate: { bus: Bus; clock: { now(): number }; tag: string; metrics: Metrics }): RiskGateService {
  const service = new RiskGateService({
    bus: gate.bus,
    startup: new OmsStartupSource(db.pool),
    limits: new LimitsFile(limitsPath, 50),
    logger,
    metrics: gate.metrics,
    clock: gate.clock,
    venue: VENUE,
    instanceTag: gate.tag,
    // The test runs the checks itself, with a hand-moved clock.
    killSwitchCheckMs: 3_600_000,
    history: new JetStreamDecisionHistory(nc, subjects),
    inFlightExpiryMs: EXPIRY_MS,
    intentConsumer: INTENTS,
  });
  started.push(service);
  return service;
}

async function publishQuote(service: RiskGateService): Promise<void> {
  bus.publish(
    subjects.md.quote(VENUE, 'BTCUSDT'),
    { name: 'Quote', schema: Quote },
    {
      v: 1,
      venue: VENUE,
      instrument: 'BTC/USDT',
      bidPrice: '49990',
      bidQty: '1',
      askPrice: '50010',
      askQty: '1',
      receivedAt: Date.now(),
    },
  );
  await waitFor('the quote', () => service.core.state.quote('BTC/USDT'));
}

const ordersIn = (published: Published[]): { request: OrderRequest; ack: PublishAck }[] =>
  published.flatMap((p) =>
    p.subject === subjects.orderRequest('BTCUSDT') ? [{ request: OrderRequest.parse(p.message), ack: p.ack }] : [],
  );

beforeAll(async () => {
  subjects = testSubjects();
  db = await createTestDatabase();
  await migrateOrderManagerStore(db.pool);
  const now = Date.now();
  await writeInstrument(
    db.pool,
    {
      v: 1,
      symbol: 'BTC/USDT',
      venue: VENUE,
      venueSymbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      maxQty: '9000',
      minNotional: '5',
      multiplier: '1',
    } as never,
    { rawFilters: [], updatedAt: now - 60_000 },
  );
  await writeBalance(db.pool, { venue: VENUE, asset: 'USDT', free: '1000000', locked: '0', updatedAt: now - 60_000 });
  dir = await mkdtemp(join(tmpdir(), 'risk-gate-recall-'));
  limitsPath = join(dir, 'limits.yaml');
  await writeFile(limitsPath, LIMITS);
  bus = await connectBus({
    service: 'risk-gate',
    subjects,
    logger,
    registry: createMetrics({ service: 'risk-gate-bus', defaultMetrics: false }).registry,
    streams: TEST_STREAMS,
    clock: { now: () => Date.now() },
  });
  await bus.ensureStreams();
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
}, 60_000);

afterAll(async () => {
  releaseDead();
  for (const service of started) await service.stop();
  await nc?.close();
  await bus?.drain();
  if (subjects) await removeTestNamespace(subjects);
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('a gate restarted between publishing an order and acking its intent', () => {
  it('answers the redelivered intent with the same client order id, and no in-flight order stays stuck', async () => {
    // Gate 1 decides, publishes the OrderRequest and the RiskDecision, then "dies" before the ack.
    const dead = new Promise<void>((resolve) => (releaseDead = resolve));
    const firstPublished: Published[] = [];
    const first = newGate({
      bus: gateBus(firstPublished, dead),
      clock: { now: () => Date.now() },
      tag: 'rr01',
      metrics: createMetrics({ service: 'risk-gate', defaultMetrics: false }),
    });
    await first.start();
    await publishQuote(first);
    const intent = Intent.parse({
      v: 1,
      id: `rr-${Date.now()}`,
      strategyId: 'alpha',
      strategyVersion: '1',
      venue: VENUE,
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.1',
      style: 'limit',
      price: '50000',
      reduceOnly: false,
      inputs: {},
      createdAt: Date.now(),
    });
    await bus.publishDurable(subjects.intent('alpha', 'BTCUSDT'), { name: 'Intent', schema: Intent }, intent, {
      msgId: intent.id,
    });
    await waitFor('the first gate to publish its decision', () =>
      firstPublished.some((p) => p.subject === subjects.riskDecision('alpha')) ? true : undefined,
    );
    const [original] = ordersIn(firstPublished);
    expect(original?.ack.duplicate).toBe(false);

    // Gate 2 starts on the same streams and durables; the unacked intent is redelivered to it.
    let now = Date.now();
    const metrics = createMetrics({ service: 'risk-gate', defaultMetrics: false });
    const secondPublished: Published[] = [];
    const second = newGate({
      bus: gateBus(secondPublished, undefined),
      clock: { now: () => now },
      tag: 'rr02',
      metrics,
    });
    await second.start();
    const republished = await waitFor('the second gate to answer the redelivered intent', () => {
      const [found] = ordersIn(secondPublished);
      return found;
    });
    expect(republished.request.clientOrderId).toBe(original?.request.clientOrderId);
    expect(republished.request).toEqual(original?.request);
    // JetStream de-duplicated it (same message id), and the OMS would by client order id anyway.
    expect(republished.ack.duplicate).toBe(true);
    const onOrders = (await new JetStreamDecisionHistory(nc, subjects).load(0)).orderRequests.filter(
      (r) => r.intentId === intent.id,
    );
    expect(onOrders.map((r) => r.clientOrderId)).toEqual([original?.request.clientOrderId]);

    // The recalled order is in flight (the OMS may be about to receive it) and counts as open, once.
    const open = () => second.core.state.openOrders().map((o) => o.clientOrderId);
    expect(open()).toEqual([original?.request.clientOrderId]);
    expect(await second.expireInFlight()).toEqual([]);

    // The OMS never received it (its orders table does not know the id): past the bound it stops counting.
    now += EXPIRY_MS + 1;
    await second.checkKillSwitch();
    expect(open()).toEqual([]);
    expect(second.core.state.committed('USDT').toString()).toBe('0');
    const expired = (await metrics.registry.getSingleMetric('bourse_risk_in_flight_expired_total')?.get())?.values;
    expect(expired?.[0]?.value).toBe(1);
  }, 60_000);
});
