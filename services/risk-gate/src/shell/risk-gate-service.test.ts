// The shell against the real NATS (own namespace) and PostgreSQL (own database with the OMS schema).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterContract, connectBus, type Bus, type DurableConsumerSpec, type TypedKv } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import {
  ExecutionEvent,
  Intent,
  type DeadLetter,
  OperatorReply,
  OrderRequest,
  Quote,
  ReloadLimitsCommand,
  RiskDecision,
  TradingState,
  tradingStateKey,
  type Subjects,
} from '@bourse/contracts';
import { ClientOrderIdGenerator } from '@bourse/domain';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { createLogger, createMetrics, type Metrics } from '@bourse/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOrderManagerStore } from '@bourse/ledger';
import { writeBalance, writeFill, writeInstrument, writeOrder, writeOutbox } from '@bourse/ledger/testing';
import { LimitsFile } from './limits-file.js';
import { OmsStartupSource } from './oms-startup-source.js';
import { RiskGateService, type LimitsReload } from './risk-gate-service.js';

const VENUE = 'binance';
const NOW = Date.now();
const clock = { now: () => NOW };
const logger = createLogger({ service: 'risk-gate-test', level: 'silent' });

const limitsYaml = (maxOrderQty: string): string => `
v: 1
whenGlobalStateMissing: ACTIVE
defaults:
  maxOrderQty: '${maxOrderQty}'
  maxOrderNotional: '1000000'
  maxPosition: '100'
  priceBandBps: '1000'
  maxQuoteAgeMs: 3600000
  maxOpenOrders: 100
  orderRate: { maxOrders: 1000, windowMs: 1000 }
  rejectionCooldown: { afterRejections: 1000, cooldownMs: 1000 }
strategies:
  loser:
    maxDailyLoss: { USDT: '100' }
  pair:
    maxTotalNotional: { USDT: '20000' }
`;

let subjects: Subjects;
let db: TestDatabase;
let bus: Bus;
let kv: TypedKv<TradingState>;
let dir: string;
let limitsPath: string;
let service: RiskGateService;
const orders: OrderRequest[] = [];
const decisions: RiskDecision[] = [];
const waiters = new Set<() => void>();

/** Resolves when `probe` returns a value (re-checked on every collected message), or fails after the timeout. */
function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = probe();
      if (found === undefined) return;
      clearTimeout(timer);
      clearInterval(poll);
      waiters.delete(check);
      resolve(found);
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      waiters.delete(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    // State held in the service (quotes, KV entries) has no message to hook; re-check it regularly too.
    const poll = setInterval(check, 20);
    waiters.add(check);
    check();
  });
}
const notify = (): void => {
  for (const check of [...waiters]) check();
};

const collector = (stream: 'ORDERS' | 'RISK' | 'DLQ', durable: string): DurableConsumerSpec => ({
  stream,
  durable,
  deliverFrom: 'all',
  maxDeliver: 1,
  ackWaitMs: 30_000,
  nakDelaysMs: [0],
  maxAckPending: 1000,
});

let seq = 0;
function intent(fields: Record<string, unknown> = {}): Intent {
  seq++;
  return Intent.parse({
    v: 1,
    id: `it-${NOW}-${seq}`,
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
    createdAt: NOW,
    ...fields,
  });
}

async function publishIntent(i: Intent, msgId: string = i.id): Promise<void> {
  await bus.publishDurable(subjects.intent(i.strategyId, 'BTCUSDT'), { name: 'Intent', schema: Intent }, i, {
    msgId,
  });
}

/** Quotes are core NATS (no replay): a freshly started gate needs one before it can price an intent. */
async function publishQuote(): Promise<void> {
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
      receivedAt: NOW,
    },
  );
  await waitFor('the quote', () => service.core.state.quote('BTC/USDT'));
}

const decisionOf = (id: string) => waitFor(`decision of ${id}`, () => decisions.find((d) => d.intentId === id));

let gateMetrics: Metrics;
function newService(): RiskGateService {
  gateMetrics = createMetrics({ service: 'risk-gate', defaultMetrics: false });
  return new RiskGateService({
    bus,
    startup: new OmsStartupSource(db.pool),
    limits: new LimitsFile(limitsPath, 50),
    logger,
    metrics: gateMetrics,
    clock,
    venue: VENUE,
    instanceTag: 'ts01',
    killSwitchCheckMs: 100,
  });
}

async function seedOms(): Promise<void> {
  await migrateOrderManagerStore(db.pool);
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
    { rawFilters: [], updatedAt: NOW - 60_000 },
  );
  for (const [asset, free] of [
    ['USDT', '1000000'],
    ['BTC', '10'],
  ] as const) {
    await writeBalance(db.pool, { venue: VENUE, asset, free, locked: '0', updatedAt: NOW - 60_000 });
  }
  // An open order of `alpha`, partly filled: the rebuild must know both the order and the position.
  const ids = new ClientOrderIdGenerator({ instanceTag: 'db01', clock: () => NOW - 30_000 });
  const clientOrderId = ids.next('alpha', '1');
  const request = OrderRequest.parse({
    v: 1,
    clientOrderId,
    intentId: 'seeded-intent',
    strategyId: 'alpha',
    strategyVersion: '1',
    venue: VENUE,
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '0.5',
    style: 'limit',
    price: '49000',
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: NOW - 30_000,
  });
  await writeOutbox(db.pool, request, NOW - 30_000);
  await writeOrder(db.pool, {
    clientOrderId,
    venue: VENUE,
    instrument: 'BTC/USDT',
    venueOrderId: '777',
    strategyId: 'alpha',
    strategyVersion: '1',
    side: 'BUY',
    style: 'limit',
    qty: '0.5',
    price: '49000',
    timeInForce: 'GTC',
    status: 'partially-filled',
    filledQty: '0.2',
    cumulativeQuoteQty: '9800',
    avgPrice: '49000',
    createdAt: NOW - 30_000,
    updatedAt: NOW - 20_000,
  });
  await writeFill(db.pool, {
    venue: VENUE,
    instrument: 'BTC/USDT',
    venueFillId: 'seed-fill-1',
    clientOrderId,
    venueOrderId: '777',
    strategyId: 'alpha',
    side: 'BUY',
    qty: '0.2',
    price: '49000',
    fee: '0',
    feeAsset: 'USDT',
    liquidity: 'maker',
    venueTime: NOW - 20_000,
    recordedAt: NOW - 20_000,
  });
}

beforeAll(async () => {
  subjects = testSubjects();
  db = await createTestDatabase();
  await seedOms();
  dir = await mkdtemp(join(tmpdir(), 'risk-gate-'));
  limitsPath = join(dir, 'limits.yaml');
  await writeFile(limitsPath, limitsYaml('1'));
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
  await bus.consume(collector('ORDERS', 'test-orders'), { name: 'OrderRequest', schema: OrderRequest }, (o) => {
    orders.push(o);
    notify();
  });
  await bus.consume(collector('RISK', 'test-risk'), { name: 'RiskDecision', schema: RiskDecision }, (d) => {
    decisions.push(d);
    notify();
  });
  service = newService();
  await service.start();
  await publishQuote();
});

afterAll(async () => {
  await service?.stop();
  await bus?.drain();
  await removeTestNamespace(subjects);
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('RiskGateService', () => {
  it('rebuilds open orders and positions from the order manager tables at start', () => {
    expect(service.isReady).toBe(true);
    expect(service.core.state.position('alpha', 'BTC/USDT').toString()).toBe('0.2');
    const open = service.core.state.openOrdersOf('alpha');
    expect(open.map((o) => o.clientOrderId)).toHaveLength(1);
  });

  it('turns an intent into an OrderRequest on ORDERS and an accepted RiskDecision', async () => {
    const i = intent();
    await publishIntent(i);
    const decision = await decisionOf(i.id);
    expect(decision.outcome).toBe('accepted');
    const order = await waitFor('the order request', () => orders.find((o) => o.intentId === i.id));
    expect(decision.outcome === 'accepted' && decision.clientOrderId).toBe(order.clientOrderId);
    expect(order).toMatchObject({ strategyId: 'alpha', venueSymbol: 'BTCUSDT', qty: '0.1', price: '50000' });
  });

  it('rejects an intent that breaks a rule with the rule and its numbers, and publishes no order', async () => {
    const bad = intent({ qty: '5' });
    await publishIntent(bad);
    const decision = await decisionOf(bad.id);
    expect(decision.outcome).toBe('rejected');
    const failures = decision.outcome === 'rejected' ? decision.failures : [];
    expect(failures).toContainEqual(expect.objectContaining({ rule: 'max-order-qty', limit: '1', actual: '5' }));
    const byRule = await gateMetrics.registry.getSingleMetric('bourse_risk_rule_failures_total')?.get();
    expect(byRule?.values).toContainEqual(expect.objectContaining({ labels: { rule: 'max-order-qty' }, value: 1 }));
    // Orders come in stream order: once a later intent's order is here, any order of the bad one would be too.
    const marker = intent();
    await publishIntent(marker);
    await waitFor('the marker order', () => orders.find((o) => o.intentId === marker.id));
    expect(orders.filter((o) => o.intentId === bad.id)).toHaveLength(0);
  });

  it('refuses an intent past the strategy total notional across instruments, with the limit and the actual', async () => {
    const over = intent({ strategyId: 'pair', qty: '0.5' }); // 0.5 × 50000 (the limit price) = 25000 USDT
    await publishIntent(over);
    const decision = await decisionOf(over.id);
    expect(decision.outcome).toBe('rejected');
    const failures = decision.outcome === 'rejected' ? decision.failures : [];
    expect(failures).toEqual([
      {
        rule: 'max-total-notional',
        message:
          'total notional of pair across BTC/USDT would reach 25000.00 USDT (now 0.00, open orders included); the maximum is 20000 USDT',
        limit: '20000',
        actual: '25000',
      },
    ]);
    const within = intent({ strategyId: 'pair', qty: '0.3' });
    await publishIntent(within);
    expect((await decisionOf(within.id)).outcome).toBe('accepted');
  });

  it('publishes one OrderRequest for an intent delivered twice, also across a restart', async () => {
    const twice = intent();
    await publishIntent(twice, `${twice.id}-a`);
    await publishIntent(twice, `${twice.id}-b`);
    const marker = intent();
    await publishIntent(marker);
    await waitFor('the marker order', () => orders.find((o) => o.intentId === marker.id));
    expect(orders.filter((o) => o.intentId === twice.id)).toHaveLength(1);

    // A restarted gate has forgotten its decisions and makes a new client order id; the intent id
    // as message id keeps ORDERS at one order, and the new id does not stay in flight.
    await service.stop();
    service = newService();
    await service.start();
    await publishQuote();
    await publishIntent(twice, `${twice.id}-c`);
    const marker2 = intent();
    await publishIntent(marker2);
    await waitFor('the second marker order', () => orders.find((o) => o.intentId === marker2.id));
    expect(orders.filter((o) => o.intentId === twice.id)).toHaveLength(1);
    const redecided = service.core.state.decisionFor(twice.id)?.decision;
    const first = orders.find((o) => o.intentId === twice.id);
    expect(redecided?.outcome).toBe('accepted');
    const newId = redecided?.outcome === 'accepted' ? redecided.clientOrderId : undefined;
    expect(newId).not.toBe(first?.clientOrderId);
    const open = service.core.state.openOrdersOf('alpha').map((o) => o.clientOrderId);
    expect(open).not.toContain(newId);
    expect(open).toContain(orders.find((o) => o.intentId === marker2.id)?.clientOrderId);
  });

  it('rejects intents while the trading state is HALTED', async () => {
    const scope = { kind: 'global' as const };
    await kv.put(tradingStateKey(scope), {
      v: 1,
      scope,
      mode: 'HALTED',
      reason: 'operator test',
      setBy: 'test',
      updatedAt: NOW + 1,
    });
    await waitFor('HALTED in the gate', () =>
      service.core.state.tradingState(scope)?.mode === 'HALTED' ? true : undefined,
    );
    const i = intent();
    await publishIntent(i);
    const decision = await decisionOf(i.id);
    expect(decision.outcome === 'rejected' && decision.failures.map((f) => f.rule)).toContain('trading-state');
    await kv.put(tradingStateKey(scope), {
      v: 1,
      scope,
      mode: 'ACTIVE',
      reason: 'resume',
      setBy: 'test',
      updatedAt: NOW + 2,
    });
    await waitFor('ACTIVE in the gate', () =>
      service.core.state.tradingState(scope)?.mode === 'ACTIVE' ? true : undefined,
    );
  });

  it('writes HALTED for a strategy whose fills breach its daily loss limit', async () => {
    const ids = new ClientOrderIdGenerator({ instanceTag: 'ex01', clock: () => NOW });
    const fill = (cid: string, side: 'BUY' | 'SELL', price: string, n: number): ExecutionEvent =>
      ExecutionEvent.parse({
        v: 1,
        type: 'fill',
        eventId: `fill-${NOW}-${n}`,
        venue: VENUE,
        venueFillId: `vf-${NOW}-${n}`,
        clientOrderId: cid,
        venueOrderId: `vo-${n}`,
        instrument: 'BTC/USDT',
        side,
        qty: '1',
        price,
        fee: '0',
        feeAsset: 'USDT',
        liquidity: 'taker',
        venueTime: NOW + n,
      });
    const key = tradingStateKey({ kind: 'strategy', strategyId: 'loser' });
    const halted = new Promise<TradingState>((resolve) => {
      void kv.watch(
        (change) => {
          if (change.value?.mode === 'HALTED') resolve(change.value);
        },
        { key },
      );
    });
    const contract = { name: 'ExecutionEvent', schema: ExecutionEvent };
    const buy = fill(ids.next('loser', '1'), 'BUY', '50000', 1);
    const sell = fill(ids.next('loser', '1'), 'SELL', '49700', 2);
    await bus.publishDurable(subjects.exec.fill('BTCUSDT'), contract, buy, { msgId: buy.eventId });
    await bus.publishDurable(subjects.exec.fill('BTCUSDT'), contract, sell, { msgId: sell.eventId });
    const state = await Promise.race([
      halted,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no HALTED written')), 10_000)),
    ]);
    expect(state).toMatchObject({
      scope: { kind: 'strategy', strategyId: 'loser' },
      mode: 'HALTED',
      setBy: 'risk-gate',
    });
    expect(state.reason).toMatch(/loss/i);
    // Still breached: asking again joins or skips the write, so the KV is written once.
    await service.checkKillSwitch();
    const trips = await gateMetrics.registry.getSingleMetric('bourse_risk_kill_switch_trips_total')?.get();
    expect(trips?.values).toContainEqual(
      expect.objectContaining({ labels: { scope: 'strategy', trigger: 'daily-loss' }, value: 1 }),
    );
  });

  it('dead-letters a fill that conflicts with one already applied, and carries on', async () => {
    const letters: DeadLetter[] = [];
    await bus.consume(collector('DLQ', 'test-dlq'), DeadLetterContract, (letter) => {
      letters.push(letter);
      notify();
    });
    const ids = new ClientOrderIdGenerator({ instanceTag: 'ex02', clock: () => NOW });
    const cid = ids.next('alpha', '1');
    const base = {
      v: 1,
      type: 'fill',
      venue: VENUE,
      venueFillId: `conflict-${NOW}`,
      clientOrderId: cid,
      venueOrderId: 'vo-c',
      instrument: 'BTC/USDT',
      side: 'BUY',
      price: '50000',
      fee: '0',
      feeAsset: 'USDT',
      liquidity: 'maker',
      venueTime: NOW + 10,
    };
    const contract = { name: 'ExecutionEvent', schema: ExecutionEvent };
    const first = ExecutionEvent.parse({ ...base, eventId: `c1-${NOW}`, qty: '0.01' });
    const conflicting = ExecutionEvent.parse({ ...base, eventId: `c2-${NOW}`, qty: '0.02' });
    await bus.publishDurable(subjects.exec.fill('BTCUSDT'), contract, first, { msgId: first.eventId });
    await bus.publishDurable(subjects.exec.fill('BTCUSDT'), contract, conflicting, { msgId: conflicting.eventId });
    const letter = await waitFor('the dead letter', () => letters.find((l) => l.payload.includes(conflicting.eventId)));
    expect(letter).toMatchObject({ service: 'risk-gate', reason: 'handler_failed', code: 'FILL_CONFLICT' });
    // The seeded 0.2 plus the first fill only.
    expect(service.core.state.position('alpha', 'BTC/USDT').toString()).toBe('0.21');
  });

  it('applies a changed limits file and refuses a broken one, keeping the old limits', async () => {
    const reloads: LimitsReload[] = [];
    const off = service.onLimitsReload((r) => {
      reloads.push(r);
      notify();
    });
    await writeFile(limitsPath, limitsYaml('0.05'));
    const applied = await waitFor('the reload', () => reloads.find((r) => r.result === 'applied'));
    expect(applied.result === 'applied' && applied.changes).toContainEqual(
      expect.objectContaining({ kind: 'limit-changed', path: 'defaults.maxOrderQty', before: '1', after: '0.05' }),
    );
    const i = intent({ qty: '0.1' });
    await publishIntent(i);
    const decision = await decisionOf(i.id);
    expect(decision.outcome === 'rejected' && decision.failures.map((f) => f.rule)).toContain('max-order-qty');

    await writeFile(limitsPath, 'v: 1\ndefaults: { maxOrderQty: 12 }\nnonsense: true\n');
    await waitFor('the refusal', () => reloads.find((r) => r.result === 'refused'));
    off();
    expect(service.core.limits.defaults.maxOrderQty).toBe('0.05');
  });

  it("answers the operator's reload-limits command with the outcome of a reload", async () => {
    const ask = () =>
      bus.request(
        subjects.command('risk-gate', 'reload-limits'),
        { name: 'ReloadLimitsCommand', schema: ReloadLimitsCommand },
        { v: 1, command: 'reload-limits', requestedBy: 'alice', requestedAt: NOW },
        { name: 'OperatorReply', schema: OperatorReply },
      );
    // The file is still the broken one of the test before: refused, the limits kept.
    const refused = await ask();
    expect(refused.ok === false && refused.error.code).toBe('LIMITS_REFUSED');
    await writeFile(limitsPath, limitsYaml('0.05'));
    expect(await ask()).toEqual({ v: 1, ok: true, result: { result: 'unchanged', changes: 0 } });
    expect(service.core.limits.defaults.maxOrderQty).toBe('0.05');
  });
});
