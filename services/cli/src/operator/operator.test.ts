// The operator commands against the real NATS, PostgreSQL and Redis, each in this file's own
// namespace, database and Redis prefix. Where another service would answer (the order manager's
// cancel-all, the reconciler's recon-now) a small in-test responder replies with contract-valid
// messages; a service's ops endpoints are a real ops server on a free port.
import { connectBus, type Bus } from '@bourse/bus';
import { removeTestNamespace, testSubjects, TEST_STREAMS } from '@bourse/bus/testing';
import {
  CancelAllCommand,
  CancelExecutionReply,
  OperatorReply,
  ReconciliationReport,
  ReconNowCommand,
  TradingState,
  operatorReplyOf,
  MarketSnapshot,
} from '@bourse/contracts';
import { migrateOrderManagerStore } from '@bourse/ledger';
import { writeFill, writeInstrument, writeOrder, writeOrderTrace } from '@bourse/ledger/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { namespaceSchema } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { startOpsServer, type OpsServer } from '@bourse/telemetry';
import { Instrument } from '@bourse/contracts';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { isCliError } from '../errors.js';
import { PlatformConfig } from '../platform/platform-config.js';
import { freePort } from '@bourse/servers/testing';
import { createOperatorContext, type OperatorContext } from './context.js';
import { runMigrate } from './migrate.js';
import { runCancelAll } from './oms.js';
import { runRecon } from './recon.js';
import { scopeFrom } from './scope.js';
import { runStatus } from './status.js';
import { runKill, runResume } from './trading-state.js';
import { runTrace } from './trace.js';
import { runFills, runOrders, runPositions, runQuotes } from './views.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** The strategy code hash the OMS stored with done-1 (open-1 has none). */
const CODE_HASH = '0123456789ab'.repeat(5) + 'cdef';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 123);
const NOW = T0 + 60_000;
const servers = loadConfig();
const subjects = testSubjects();
const redisPrefix = `bourse:test:${subjects.prefix}:md:`;
const silent = pino({ level: 'silent' });

let db: TestDatabase;
let emptyDb: TestDatabase;
let bus: Bus;
let redis: Redis;
let ops: OpsServer;
let config: PlatformConfig;
const contexts: OperatorContext[] = [];

/** A context writing to `lines`, on this file's namespace, database and ports. */
function context(overrides: { database?: string } = {}): { ctx: OperatorContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = createOperatorContext({
    config:
      overrides.database === undefined
        ? config
        : { ...config, servers: { ...config.servers, postgres: overrides.database } },
    operator: 'alice',
    out: (line) => lines.push(...line.split('\n')),
    audit: silent,
    now: () => NOW,
  });
  contexts.push(ctx);
  return { ctx, lines };
}

const BTC = Instrument.parse({
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
});

function snapshot(bid: string, ask: string): MarketSnapshot {
  return MarketSnapshot.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    feed: { state: 'live', changedAt: T0 },
    top: { bidPrice: bid, bidQty: '1', askPrice: ask, askQty: '1', source: 'quote', receivedAt: NOW - 500 },
    depth: null,
    lastTrade: null,
    receivedAt: NOW - 500,
    writtenAt: NOW - 400,
  });
}

function report(verdict: 'ok' | 'drift-halted', finishedAt = NOW - 30_000): ReconciliationReport {
  return ReconciliationReport.parse({
    v: 1,
    runId: `run-${verdict}`,
    venue: 'binance',
    trigger: 'operator',
    startedAt: finishedAt - 40,
    finishedAt,
    counts: { ordersChecked: 2, fillsChecked: 1, balancesChecked: 3, positionsChecked: 1 },
    differences: {
      orders: [],
      fills: [],
      balances: verdict === 'ok' ? [] : [{ key: 'BTC', expected: '1.01', actual: '1.5' }],
      positions: [],
    },
    missedFillsRecovered: [],
    unknownOpenOrders: [],
    drift: { value: verdict === 'ok' ? '0' : '24500', tolerance: '5', asset: 'USDT' },
    verdict,
  });
}

beforeAll(async () => {
  // The CLI reads the order manager's tables in the namespace's schema, where a namespaced OMS keeps them.
  db = await createTestDatabase({ schema: namespaceSchema(subjects.prefix) });
  emptyDb = await createTestDatabase();
  await migrateOrderManagerStore(db.pool);
  await writeInstrument(db.pool, BTC, { rawFilters: [], updatedAt: T0 });
  const order = {
    venue: 'binance',
    instrument: 'BTC/USDT',
    strategyId: 'sma-btc',
    strategyVersion: '1.0.0',
    side: 'BUY' as const,
    style: 'limit' as const,
    qty: '0.5',
    price: '60000',
    timeInForce: 'GTC' as const,
    cumulativeQuoteQty: '0',
    createdAt: T0,
    updatedAt: T0,
  };
  await writeOrder(db.pool, { ...order, clientOrderId: 'open-1', status: 'new', filledQty: '0' });
  await writeOrder(db.pool, {
    ...order,
    clientOrderId: 'done-1',
    status: 'filled',
    filledQty: '0.5',
    cumulativeQuoteQty: '30000',
    avgPrice: '60000',
    venueOrderId: '77',
    codeHash: CODE_HASH,
  });
  await writeFill(db.pool, {
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueFillId: '9001',
    clientOrderId: 'done-1',
    venueOrderId: '77',
    strategyId: 'sma-btc',
    side: 'BUY',
    qty: '0.5',
    price: '60000',
    fee: '0.03',
    feeAsset: 'USDT',
    liquidity: 'taker',
    venueTime: T0 + 10,
    recordedAt: T0 + 20,
  });
  await writeOrderTrace(db.pool, 'done-1', { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }, T0);
  // The OMS writes positions with the fill; here the row is seeded as it would have left it.
  await db.pool.query(
    `INSERT INTO positions (strategy_id, instrument, qty, avg_entry_price, realized_pnl, fees, lots, fill_count,
       last_fill_at, updated_at, version)
     VALUES ('sma-btc', 'BTC/USDT', '0.5', '60000', '12.5', '{"USDT":"0.03"}', '[{"qty":"0.5","price":"60000"}]', 1, $1, $1, 1)`,
    [new Date(T0 + 10)],
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
  redis = new Redis(servers.redisUrl);
  await redis.set(`${redisPrefix}binance:BTCUSDT`, JSON.stringify(snapshot('61000', '61000.02')), 'PX', 120_000);

  ops = await startOpsServer({
    port: 0,
    registry: new Registry(),
    ready: () => ({ ok: false, reasons: ['reconcile: first run pending'] }),
  });
  const free = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  config = PlatformConfig.parse({
    v: 1,
    namespace: subjects.prefix,
    servers: { nats: servers.natsUrl, postgres: db.url, redis: servers.redisUrl },
    sim: { port: free[0] },
    ops: {
      ports: {
        'order-manager': ops.port,
        reconciler: free[1],
        'risk-gate': free[2],
        'market-data': free[3],
        'strategy-runner': free[4],
      },
    },
    marketData: { snapshotKeyPrefix: redisPrefix },
    risk: { limitsFile: '/unused.yaml' },
  });
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  await ops?.close();
  await redis?.del(`${redisPrefix}binance:BTCUSDT`);
  redis?.disconnect();
  await bus?.drain();
  await removeTestNamespace(subjects, servers.natsUrl);
  await db?.drop();
  await emptyDb?.drop();
}, 60_000);

async function stateOf(key: string): Promise<TradingState | undefined> {
  const kv = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  return (await kv.get(key))?.value;
}

describe('operator commands (real NATS, PostgreSQL, Redis)', { timeout: 30_000 }, () => {
  it('kill --cancel-all writes HALTED for the scope and prints what the order manager cancelled', async () => {
    const asked: CancelAllCommand[] = [];
    const sub = bus.serve(
      subjects.command('order-manager', 'cancel-all'),
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      { name: 'CancelExecutionReply', schema: CancelExecutionReply },
      (command) => {
        asked.push(command);
        return {
          v: 1 as const,
          ok: true as const,
          result: {
            requested: [
              {
                clientOrderId: 'open-1',
                strategyId: 'sma-btc',
                instrument: 'BTC/USDT',
                venueSymbol: 'BTCUSDT',
                status: 'new' as const,
              },
            ],
            skipped: [],
            canceled: ['open-1'],
            failed: [],
          },
        };
      },
    );
    await bus.flush();
    const { ctx, lines } = context();
    const code = await runKill(ctx, {
      scope: scopeFrom({ strategy: 'sma-btc' }),
      reason: 'bad fills',
      cancelAll: true,
      json: false,
      timeoutMs: 5_000,
    });
    await sub.unsubscribe();
    expect(code).toBe(0);
    expect(await stateOf('strategy.sma-btc')).toEqual({
      v: 1,
      scope: { kind: 'strategy', strategyId: 'sma-btc' },
      mode: 'HALTED',
      reason: 'bad fills',
      setBy: 'alice',
      updatedAt: NOW,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      command: 'cancel-all',
      requestedBy: 'alice',
      scope: { kind: 'strategy', strategyId: 'sma-btc' },
    });
    expect(lines[0]).toBe('HALTED strategy sma-btc (by alice: bad fills)');
    expect(lines[1]).toBe('cancel-all strategy sma-btc: cancel sent for 1 order(s)');
    expect(lines[2]).toMatch(/open-1 +sma-btc +BTC\/USDT +was new/);
  });

  it('kill still halts when nothing answers the cancel-all, and exits 1 saying so', async () => {
    const { ctx, lines } = context();
    const code = await runKill(ctx, {
      scope: scopeFrom({ instrument: 'ETH/USDT' }),
      reason: 'test',
      cancelAll: true,
      json: true,
      timeoutMs: 500,
    });
    expect(code).toBe(1);
    expect((await stateOf('instrument.ETHUSDT'))?.mode).toBe('HALTED');
    const out = JSON.parse(lines.join('\n')) as {
      cancelAll: { ok: boolean; error: { code: string; message: string } };
    };
    expect(out.cancelAll.ok).toBe(false);
    expect(out.cancelAll.error.code).toBe('BUS_NO_RESPONDERS');
    expect(out.cancelAll.error.message).toMatch(/is the order manager running/);
  });

  it('resume writes ACTIVE, and cancel-all reports the order manager refusing', async () => {
    const { ctx, lines } = context();
    expect(await runResume(ctx, { scope: { kind: 'global' }, reason: 'morning', json: false })).toBe(0);
    expect(await stateOf('global')).toMatchObject({ mode: 'ACTIVE', setBy: 'alice', reason: 'morning' });
    // The scopes the kill tests above halted stay halted, and the resume says so.
    expect(lines[0]).toBe('ACTIVE global (by alice: morning)');
    expect(lines).toContain('or resume every scope at once: bourse resume --all --reason <why>');

    const sub = bus.serve(
      subjects.command('order-manager', 'cancel-all'),
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      { name: 'OperatorReply', schema: OperatorReply },
      () => ({ v: 1 as const, ok: false as const, error: { code: 'NOT_READY', message: 'still restoring orders' } }),
    );
    await bus.flush();
    const second = context();
    const code = await runCancelAll(second.ctx, { scope: { kind: 'global' }, json: false, timeoutMs: 5_000 });
    await sub.unsubscribe();
    expect(code).toBe(1);
    expect(second.lines).toEqual(['cancel-all global FAILED: NOT_READY: still restoring orders']);
  });

  it('cancel-all refuses a reply that breaks its contract, naming the bad fields', async () => {
    // An order manager of another version: `failed` missing, a status the contract does not know.
    const sub = bus.serve(
      subjects.command('order-manager', 'cancel-all'),
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      { name: 'OperatorReply', schema: OperatorReply },
      () => ({
        v: 1 as const,
        ok: true as const,
        result: {
          requested: [
            {
              clientOrderId: 'open-2',
              strategyId: 'sma-btc',
              instrument: 'BTC/USDT',
              venueSymbol: 'BTCUSDT',
              status: 'resting',
            },
          ],
          skipped: [],
          canceled: ['open-2'],
        },
      }),
    );
    await bus.flush();
    const { ctx, lines } = context();
    const code = await runCancelAll(ctx, { scope: { kind: 'global' }, json: true, timeoutMs: 5_000 });
    await sub.unsubscribe();
    expect(code).toBe(1);
    const out = JSON.parse(lines.join('\n')) as {
      ok: boolean;
      result?: unknown;
      error: { code: string; message: string };
    };
    expect(out.ok).toBe(false);
    expect(out.result).toBeUndefined();
    expect(out.error.code).toBe('CONTRACT_VIOLATION');
    expect(out.error.message).toMatch(/CancelExecutionReply is invalid/);
    expect(out.error.message).toMatch(/result\.requested\.0\.status/);
    expect(out.error.message).toMatch(/result\.failed/);
  });

  it('positions: quantities, mark from the Redis snapshot, unrealized and realized P&L', async () => {
    const { ctx, lines } = context();
    expect(await runPositions(ctx, { json: false })).toBe(0);
    expect(lines[0]).toMatch(/^STRATEGY +INSTRUMENT +QTY +AVG ENTRY +MARK +UNREALIZED +REALIZED +FILLS$/);
    // 0.5 × (61000.01 − 60000) = 500.005
    expect(lines[1]).toMatch(/^sma-btc +BTC\/USDT +0\.5 +60000 +61000\.01 +500\.005 +12\.5 +1$/);
    const json = context();
    await runPositions(json.ctx, { json: true });
    const parsed = JSON.parse(json.lines.join('\n')) as { byStrategy: unknown[] };
    expect(parsed.byStrategy).toEqual([
      { strategyId: 'sma-btc', realizedPnl: '12.5', unrealizedPnl: '500.005', openPositions: 1 },
    ]);
  });

  it('orders: open ones by default, every status with --all', async () => {
    const open = context();
    expect(await runOrders(open.ctx, { json: true, all: false, limit: 50 })).toBe(0);
    expect((JSON.parse(open.lines.join('\n')) as Array<{ clientOrderId: string }>).map((o) => o.clientOrderId)).toEqual(
      ['open-1'],
    );
    const all = context();
    await runOrders(all.ctx, { json: false, all: true, limit: 50 });
    expect(all.lines).toHaveLength(3);
    // Same creation time: shown by client order id.
    expect(all.lines[1]).toMatch(/^done-1 .* 0\.5 +filled +1m00s$/);
    expect(all.lines[2]).toMatch(/^open-1 .* new +1m00s$/);
    // The order's trace id, when the OMS stored one.
    expect(all.lines[1]).toMatch(new RegExp(`^done-1 +${TRACE_ID} `));
    expect(all.lines[2]).toMatch(/^open-1 +- /);
    // The strategy code's hash, its first 12 characters in the table, '-' for an order without one.
    expect(all.lines[0]).toMatch(/^CLIENT ORDER ID +TRACE ID +CODE +STRATEGY /);
    expect(all.lines[1]).toMatch(new RegExp(`^done-1 +${TRACE_ID} +${CODE_HASH.slice(0, 12)} +sma-btc `));
    expect(all.lines[1]).not.toContain(CODE_HASH.slice(0, 13));
    expect(all.lines[2]).toMatch(/^open-1 +- +- +sma-btc /);
    const json = context();
    await runOrders(json.ctx, { json: true, all: true, limit: 50 });
    expect(
      (
        JSON.parse(json.lines.join('\n')) as Array<{
          clientOrderId: string;
          traceId: string | null;
          codeHash: string | null;
        }>
      ).map((o) => [o.clientOrderId, o.traceId, o.codeHash]),
    ).toEqual([
      ['done-1', TRACE_ID, CODE_HASH],
      ['open-1', null, null],
    ]);
  });

  it('trace: the order’s trace id, the Jaeger link and the span tree Jaeger returns', async () => {
    const plain = context();
    expect(await runTrace(plain.ctx, { clientOrderId: 'done-1', json: false, jaegerUrl: undefined })).toBe(0);
    expect(plain.lines).toEqual([`trace ${TRACE_ID}`]);

    // A stand-in for Jaeger's query API, answering the one trace.
    const asked: string[] = [];
    const jaeger = createServer((req, res) => {
      asked.push(req.url ?? '');
      const span = (spanID: string, operationName: string, processID: string, startTime: number, parent?: string) => ({
        traceID: TRACE_ID,
        spanID,
        operationName,
        processID,
        startTime,
        duration: 1500,
        references: parent === undefined ? [] : [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: parent }],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          data: [
            {
              traceID: TRACE_ID,
              spans: [
                span('c', 'risk.decide', 'p2', 3, 'b'),
                span('a', 'strategy.evaluate', 'p1', 1),
                span('b', 'send intent.x', 'p1', 2, 'a'),
              ],
              processes: { p1: { serviceName: 'strategy-runner' }, p2: { serviceName: 'risk-gate' } },
            },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => jaeger.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(jaeger.address() as AddressInfo).port}/`;
      const linked = context();
      expect(await runTrace(linked.ctx, { clientOrderId: 'done-1', json: false, jaegerUrl: url })).toBe(0);
      expect(asked).toEqual([`/api/traces/${TRACE_ID}`]);
      expect(linked.lines).toEqual([
        `trace ${TRACE_ID}`,
        `jaeger ${url}trace/${TRACE_ID}`,
        'strategy-runner strategy.evaluate (1.5 ms)',
        '  strategy-runner send intent.x (1.5 ms)',
        '    risk-gate risk.decide (1.5 ms)',
      ]);
    } finally {
      jaeger.closeAllConnections();
      await new Promise<void>((resolve) => jaeger.close(() => resolve()));
    }

    const unknown = await runTrace(context().ctx, { clientOrderId: 'open-1', json: false, jaegerUrl: undefined }).catch(
      (e: unknown) => e,
    );
    expect(isCliError(unknown) && unknown.message).toMatch(/no trace stored for order open-1/);
  });

  it('fills: the newest first-N, with fee and liquidity', async () => {
    const { ctx, lines } = context();
    expect(await runFills(ctx, { json: false, limit: 5 })).toBe(0);
    expect(lines[1]).toContain('2026-01-02T03:04:05.133Z');
    expect(lines[1]).toMatch(/sma-btc +BTC\/USDT +BUY +0\.5 +60000 +0\.03 USDT +taker +done-1 +9001$/);
    expect(lines[1]).toContain(` ${TRACE_ID} `);
    // The code hash of the fill's order: a prefix in the table, whole in JSON.
    expect(lines[0]).toMatch(/^TIME +TRACE ID +CODE +STRATEGY /);
    expect(lines[1]).toMatch(new RegExp(` ${TRACE_ID} +${CODE_HASH.slice(0, 12)} +sma-btc `));
    const json = context();
    expect(await runFills(json.ctx, { json: true, limit: 5 })).toBe(0);
    expect(
      (JSON.parse(json.lines.join('\n')) as Array<{ venueFillId: string; codeHash: string | null }>).map((f) => [
        f.venueFillId,
        f.codeHash,
      ]),
    ).toEqual([['9001', CODE_HASH]]);
  });

  it('quotes: the snapshots under the configured prefix', async () => {
    const { ctx, lines } = context();
    expect(await runQuotes(ctx, { json: false })).toBe(0);
    expect(lines[1]).toMatch(/binance:BTCUSDT +BTC\/USDT +61000 +61000\.02 +61000\.01 +- +live +500ms$/);
  });

  it('a database missing a newer migration (no orders.code_hash): a clear failure naming migrate', async () => {
    const old = await createTestDatabase({ schema: namespaceSchema(subjects.prefix) });
    try {
      await migrateOrderManagerStore(old.pool);
      // As the schema stood before migration 0010.
      await old.pool.query('ALTER TABLE orders DROP COLUMN code_hash');
      const err = await runOrders(context({ database: old.url }).ctx, { json: false, all: true, limit: 5 }).catch(
        (e: unknown) => e,
      );
      expect(isCliError(err) && err.message).toMatch(/miss a newer migration .*code_hash.*run `pnpm bourse migrate`/);
    } finally {
      await old.drop();
    }
  });

  it('a database without the schema: a clear failure naming migrate; migrate then makes it readable', async () => {
    const { ctx } = context({ database: emptyDb.url });
    const err = await runPositions(ctx, { json: false }).catch((e: unknown) => e);
    expect(isCliError(err) && err.message).toMatch(/tables do not exist .*run `pnpm bourse migrate`/);
    const m = context({ database: emptyDb.url });
    expect(await runMigrate(m.ctx, { json: false })).toBe(0);
    // Every migration of the order manager's folder, in order (`1 init, 2 …`).
    expect(m.lines[0]).toMatch(/^order-manager: applied 1 init(, \d+ [a-z0-9_]+)*$/);
    expect(m.lines[1]).toMatch(/^reconciler: (applied|current)/);
    const again = context({ database: emptyDb.url });
    await runMigrate(again.ctx, { json: false });
    expect(again.lines[0]).toMatch(/^order-manager: current \(\d+ migration\(s\) applied before\)/);
    const after = context({ database: emptyDb.url });
    expect(await runPositions(after.ctx, { json: false })).toBe(0);
    expect(after.lines).toEqual(['no positions']);
  });

  it('recon: prints the report; exit 0 when ok, 1 when drift halted trading', async () => {
    let verdict: 'ok' | 'drift-halted' = 'ok';
    const sub = bus.serve(
      subjects.command('reconciler', 'recon-now'),
      { name: 'ReconNowCommand', schema: ReconNowCommand },
      { name: 'ReconReply', schema: operatorReplyOf(ReconciliationReport) },
      () => ({ v: 1 as const, ok: true as const, result: report(verdict, NOW - 1_000) }),
    );
    await bus.flush();
    const ok = context();
    expect(await runRecon(ok.ctx, { json: false, timeoutMs: 5_000 })).toBe(0);
    expect(ok.lines[0]).toBe('reconciliation run-ok (operator) on binance: OK');
    verdict = 'drift-halted';
    const bad = context();
    expect(await runRecon(bad.ctx, { json: false, timeoutMs: 5_000 })).toBe(1);
    expect(bad.lines[0]).toMatch(/DRIFT — trading HALTED/);
    expect(bad.lines).toContain('  balances differ: BTC expected 1.01, venue 1.5');
    await sub.unsubscribe();
    const none = context();
    const err = await runRecon(none.ctx, { json: false, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isCliError(err) && err.code).toBe('COMMAND_FAILED');
    expect((err as Error).message).toMatch(/is the reconciler running/);
  });

  it('status: health from the ops ports, trading state, last report age, positions, P&L, open orders', async () => {
    await bus.publishDurable(
      subjects.reconReport(),
      { name: 'ReconciliationReport', schema: ReconciliationReport },
      report('ok'),
      {
        msgId: 'status-report',
      },
    );
    const { ctx, lines } = context();
    const stop = new AbortController();
    expect(
      await runStatus(ctx, {
        json: false,
        watch: false,
        intervalMs: 1_000,
        timeoutMs: 1_000,
        tty: false,
        stop: stop.signal,
      }),
    ).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/^order-manager +up +no +http:\/\/127\.0\.0\.1:\d+ +reconcile: first run pending$/m);
    expect(text).toMatch(/^risk-gate +down +- +http:\/\/127\.0\.0\.1:\d+ +ECONNREFUSED$/m);
    expect(text).toMatch(/^exchange-sim +down /m);
    expect(text).toMatch(/^global +ACTIVE .* alice +morning$/m);
    expect(text).toMatch(/^strategy\.sma-btc +HALTED .* alice +bad fills$/m);
    expect(text).toMatch(/^30s ago: ok \(operator\), drift 0 USDT of 5/m);
    expect(text).toMatch(/^sma-btc +12\.5 +500\.005 +1$/m);
    expect(text).toMatch(/^open-1 /m);
  });

  it('status --watch redraws on a terminal until stopped', async () => {
    const renders: string[] = [];
    const stop = new AbortController();
    const ctx = createOperatorContext({
      config,
      operator: 'alice',
      audit: silent,
      now: () => NOW,
      out: (frame) => {
        renders.push(frame);
        if (renders.length === 2) stop.abort();
      },
    });
    contexts.push(ctx);
    const code = await runStatus(ctx, {
      json: false,
      watch: true,
      intervalMs: 250,
      timeoutMs: 500,
      tty: true,
      stop: stop.signal,
    });
    expect(code).toBe(0);
    expect(renders).toHaveLength(2);
    for (const frame of renders) {
      expect(frame.startsWith('\x1b[H\x1b[2J')).toBe(true);
      expect(frame).toContain('refreshing every 250 ms; Ctrl-C stops');
    }
  });

  it('status exits 1 when a source cannot be read, and still shows the others', async () => {
    const unreachable = await freePort();
    const { ctx, lines } = context({ database: `postgres://postgres@127.0.0.1:${unreachable}/nope` });
    const stop = new AbortController();
    expect(
      await runStatus(ctx, {
        json: false,
        watch: false,
        intervalMs: 1_000,
        timeoutMs: 500,
        tty: false,
        stop: stop.signal,
      }),
    ).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(
      /== positions\ncannot read: cannot read positions from postgres:\/\/postgres@127\.0\.0\.1:\d+\/nope/,
    );
    expect(text).toMatch(/^global +ACTIVE/m);
  });

  it('scope flags: one scope at most, symbols normalised, bad values refused as usage errors', () => {
    expect(scopeFrom({})).toEqual({ kind: 'global' });
    expect(scopeFrom({ instrument: 'btc/usdt' })).toEqual({ kind: 'instrument', symbol: 'BTCUSDT' });
    expect(() => scopeFrom({ instrument: 'BTCUSDT', strategy: 'x' })).toThrow(/not both/);
    expect(() => scopeFrom({ strategy: 'a.b' })).toThrow(/not a strategy id/);
    expect(() => scopeFrom({ instrument: 'BTC USDT' })).toThrow(/not a symbol/);
  });
});
