// Operator commands that say what they did and what stands in the way (issue 17): a resume names
// the scopes it leaves halted, `--all` resumes them, `status` shows each strategy's last order and
// latest refusals, `status --check` is a health exit code, and an unreachable NATS is named. Real
// NATS and PostgreSQL in this file's own namespace and database; the services' ops endpoints are
// real ops servers on free ports.
import { connectBus, type Bus } from '@bourse/bus';
import { removeTestNamespace, testSubjects, TEST_STREAMS } from '@bourse/bus/testing';
import { Instrument, RiskDecision, TradingState } from '@bourse/contracts';
import { migrateOrderManagerStore } from '@bourse/ledger';
import { writeInstrument, writeOrder } from '@bourse/ledger/testing';
import { namespaceSchema } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { startOpsServer, type OpsServer } from '@bourse/telemetry';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { OPS_SERVICES, PlatformConfig } from '../platform/platform-config.js';
import { freePort } from '@bourse/servers/testing';
import { createOperatorContext, type OperatorContext } from './context.js';
import { runStatus, type StatusOptions } from './status.js';
import { summarizeActivity } from './strategy-activity.js';
import { runKill, runResume } from './trading-state.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
const NOW = T0 + 600_000;
const servers = loadConfig();
const subjects = testSubjects();
const silent = pino({ level: 'silent' });

let db: TestDatabase;
let bus: Bus;
let config: PlatformConfig;
const ready = { ok: true };
const opsServers: OpsServer[] = [];
const contexts: OperatorContext[] = [];

function context(overrides: Partial<PlatformConfig> = {}): { ctx: OperatorContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = createOperatorContext({
    config: { ...config, ...overrides },
    operator: 'alice',
    out: (line) => lines.push(...line.split('\n')),
    audit: silent,
    now: () => NOW,
    connectTimeoutMs: 1_000,
  });
  contexts.push(ctx);
  return { ctx, lines };
}

const statusOptions = (extra: Partial<StatusOptions> = {}): StatusOptions => ({
  json: false,
  watch: false,
  intervalMs: 1_000,
  timeoutMs: 1_000,
  tty: false,
  stop: new AbortController().signal,
  ...extra,
});

function rejected(strategyId: string, decidedAt: number, rule: string, limit: string, actual: string): RiskDecision {
  return RiskDecision.parse({
    v: 1,
    intentId: `int-${strategyId}-${decidedAt}`,
    strategyId,
    instrument: 'BTC/USDT',
    decidedAt,
    outcome: 'rejected',
    failures: [{ rule, message: `${rule} would be broken`, limit, actual }],
  });
}

beforeAll(async () => {
  db = await createTestDatabase({ schema: namespaceSchema(subjects.prefix) });
  await migrateOrderManagerStore(db.pool);
  await writeInstrument(
    db.pool,
    Instrument.parse({
      v: 1,
      symbol: 'BTC/USDT',
      venue: 'binance',
      venueSymbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      maxQty: '9000',
      minNotional: '5',
      multiplier: '1',
    }),
    { rawFilters: [], updatedAt: T0 },
  );
  bus = await connectBus({
    service: 'cli-test',
    subjects,
    logger: silent,
    registry: new Registry(),
    servers: servers.natsUrl,
    streams: TEST_STREAMS,
  });
  await bus.ensureStreams();
  const ports: Record<string, number> = {};
  for (const service of OPS_SERVICES) {
    const ops = await startOpsServer({
      port: 0,
      registry: new Registry(),
      ready: () => (ready.ok ? { ok: true, reasons: [] } : { ok: false, reasons: ['startup: restoring state'] }),
    });
    opsServers.push(ops);
    ports[service] = ops.port;
  }
  config = PlatformConfig.parse({
    v: 1,
    namespace: subjects.prefix,
    servers: { nats: servers.natsUrl, postgres: db.url, redis: servers.redisUrl },
    // Not the sim: the status then checks the five services' ops endpoints only.
    venue: { target: 'testnet' },
    ops: { ports },
    strategies: { list: [{ id: 'sma-btc' }, { id: 'sma-eth' }] },
    risk: { limitsFile: '/unused.yaml' },
  });
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  for (const ops of opsServers) await ops.close();
  await bus?.drain();
  await removeTestNamespace(subjects, servers.natsUrl);
  await db?.drop();
}, 60_000);

describe('resume names what stays halted (real NATS)', { timeout: 30_000 }, () => {
  it('a global resume after a strategy kill says the strategy stays HALTED; --all resumes it', async () => {
    const kill = context();
    await runKill(kill.ctx, {
      scope: { kind: 'strategy', strategyId: 'sma-btc' },
      reason: 'bad fills',
      cancelAll: false,
      json: false,
      timeoutMs: 1_000,
    });
    await runKill(kill.ctx, {
      scope: { kind: 'instrument', symbol: 'ETHUSDT' },
      reason: 'venue maintenance',
      cancelAll: false,
      json: false,
      timeoutMs: 1_000,
    });

    const plain = context();
    expect(await runResume(plain.ctx, { scope: { kind: 'global' }, reason: 'checked', json: false })).toBe(0);
    expect(plain.lines).toEqual([
      'ACTIVE global (by alice: checked)',
      'instrument ETHUSDT stays HALTED (by alice, 0ms ago: venue maintenance); resume it: bourse resume --instrument ETHUSDT --reason <why>',
      'strategy sma-btc stays HALTED (by alice, 0ms ago: bad fills); resume it: bourse resume --strategy sma-btc --reason <why>',
      'or resume every scope at once: bourse resume --all --reason <why>',
    ]);

    const all = context();
    expect(await runResume(all.ctx, { scope: { kind: 'global' }, reason: 'all clear', json: false, all: true })).toBe(
      0,
    );
    expect(all.lines).toEqual([
      'ACTIVE global (by alice: all clear)',
      'ACTIVE instrument ETHUSDT (by alice: all clear)',
      'ACTIVE strategy sma-btc (by alice: all clear)',
    ]);
    const kv = await bus.tradingState({ name: 'TradingState', schema: TradingState });
    for (const key of ['global', 'instrument.ETHUSDT', 'strategy.sma-btc']) {
      expect((await kv.get(key))?.value.mode).toBe('ACTIVE');
    }
  });
});

describe('status: strategies, --check, NATS named (real NATS, PostgreSQL)', { timeout: 30_000 }, () => {
  it("shows each strategy's last order and newest refusals with the rule and the numbers", async () => {
    await writeOrder(db.pool, {
      venue: 'binance',
      instrument: 'BTC/USDT',
      strategyId: 'sma-btc',
      strategyVersion: '1.0.0',
      side: 'BUY',
      style: 'limit',
      qty: '0.01',
      price: '60000',
      timeInForce: 'GTC',
      cumulativeQuoteQty: '0',
      clientOrderId: 'activity-1',
      status: 'new',
      filledQty: '0',
      createdAt: T0,
      updatedAt: T0,
    });
    const contract = { name: 'RiskDecision', schema: RiskDecision };
    const decisions = [
      rejected('sma-btc', T0 - 1_000, 'max-order-qty', '1', '2'),
      rejected('sma-btc', NOW - 90_000, 'max-position', '1', '1.01'),
      rejected('sma-btc', NOW - 8_000, 'max-order-notional', '5000', '6100.5'),
    ];
    for (const d of decisions) {
      await bus.publishDurable(subjects.riskDecision(d.strategyId), contract, d, { msgId: d.intentId });
    }
    const { ctx, lines } = context();
    expect(await runStatus(ctx, statusOptions())).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain(
      [
        '== strategies: last order, refusals by the risk gate',
        'sma-btc: last order 10m00s ago, 2 refusal(s) since',
        '  8s ago BTC/USDT max-order-notional: limit 5000, actual 6100.5 (max-order-notional would be broken)',
        '  1m30s ago BTC/USDT max-position: limit 1, actual 1.01 (max-position would be broken)',
        '  10m01s ago BTC/USDT max-order-qty: limit 1, actual 2 (max-order-qty would be broken)',
        'sma-eth: no order yet, no refusal since',
      ].join('\n'),
    );
  });

  it('--check: exit 0 only when every service is ready and trading is ACTIVE, naming what is not', async () => {
    const kv = await bus.tradingState({ name: 'TradingState', schema: TradingState });
    const active = { v: 1 as const, scope: { kind: 'global' as const }, reason: 'go', setBy: 'alice', updatedAt: T0 };
    await kv.put('global', { ...active, mode: 'ACTIVE' });
    ready.ok = true;
    const good = context();
    expect(await runStatus(good.ctx, statusOptions({ check: true }))).toBe(0);
    expect(good.lines).toEqual(['ok: every service is ready and trading is ACTIVE']);

    await kv.put('global', { ...active, mode: 'HALTED', reason: 'drift' });
    ready.ok = false;
    const bad = context();
    expect(await runStatus(bad.ctx, statusOptions({ check: true }))).toBe(1);
    expect(bad.lines).toEqual([
      'not ok:',
      ...OPS_SERVICES.map((s) => `  ${s} not ready: startup: restoring state`),
      '  trading global HALTED: drift',
    ]);
    ready.ok = true;
  });

  it('names NATS and its address when it cannot be reached', async () => {
    const port = await freePort();
    const { ctx, lines } = context({ servers: { ...config.servers, nats: `nats://127.0.0.1:${port}` } });
    expect(await runStatus(ctx, statusOptions())).toBe(1);
    expect(lines.join('\n')).toContain(
      `== trading state\ncannot read: NATS at nats://127.0.0.1:${port}: connection refused`,
    );
    const resume = context({ servers: { ...config.servers, nats: `nats://127.0.0.1:${port}` } });
    await expect(runResume(resume.ctx, { scope: { kind: 'global' }, reason: 'x', json: false })).rejects.toThrow(
      `NATS at nats://127.0.0.1:${port}: connection refused`,
    );
    const check = context({ servers: { ...config.servers, nats: `nats://127.0.0.1:${port}` } });
    expect(await runStatus(check.ctx, statusOptions({ check: true }))).toBe(1);
    expect(check.lines).toContain(`  trading state: cannot read: NATS at nats://127.0.0.1:${port}: connection refused`);
  });
});

describe('summarizeActivity', () => {
  it('counts refusals after the last order, keeps the newest three, lists configured strategies', () => {
    const list = summarizeActivity(['quiet'], new Map([['busy', 1_000]]), [
      rejected('busy', 500, 'max-position', '1', '2'),
      rejected('busy', 1_500, 'max-position', '1', '2'),
      rejected('busy', 2_500, 'max-order-qty', '1', '3'),
      rejected('busy', 3_500, 'max-order-qty', '1', '4'),
      rejected('busy', 4_500, 'max-order-qty', '1', '5'),
    ]);
    expect(list.map((a) => [a.strategyId, a.lastOrderAt, a.refusedSinceLastOrder, a.refusals.length])).toEqual([
      ['busy', 1_000, 4, 3],
      ['quiet', null, 0, 0],
    ]);
    expect(list[0]?.refusals.map((r) => r.decidedAt)).toEqual([4_500, 3_500, 2_500]);
  });
});
