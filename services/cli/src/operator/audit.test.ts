// Operator acts need the operator's NATS credentials and are recorded in PostgreSQL before they
// take effect. A private nats-server runs with the permissions rendered from the subjects
// (libs/bus permissions.ts); the audit log lives in this file's own database.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BUS_ROLES, connectBus, renderNatsAuthorization, type Bus, type BusRole } from '@bourse/bus';
import { startPrivateNats, testSubjects, TEST_STREAMS, type PrivateNats } from '@bourse/bus/testing';
import { OperatorReply, ReloadLimitsCommand, TradingState } from '@bourse/contracts';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { PlatformConfig } from '../platform/platform-config.js';
import { freePort } from '@bourse/servers/testing';
import { listActions, runAudit } from './audit.js';
import { parseSince } from './audit-since.js';
import { createOperatorContext, type OperatorContext } from './context.js';
import { runReloadLimits } from './limits.js';
import { runCancelAll } from './oms.js';
import { runKill, runResume } from './trading-state.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 123);
const servers = loadConfig();
const subjects = testSubjects();
const silent = pino({ level: 'silent' });
const passwords = Object.fromEntries(BUS_ROLES.map((r) => [r, randomBytes(12).toString('hex')])) as Record<
  BusRole,
  string
>;
const TradingStateContract = { name: 'TradingState', schema: TradingState };

let nats: PrivateNats;
let db: TestDatabase;
let config: PlatformConfig;
let operatorBus: Bus;
const contexts: OperatorContext[] = [];

function context(
  as: BusRole | 'nobody',
  overrides: { postgres?: string; now?: number } = {},
): { ctx: OperatorContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = createOperatorContext({
    config:
      overrides.postgres === undefined
        ? config
        : { ...config, servers: { ...config.servers, postgres: overrides.postgres } },
    operator: 'alice',
    out: (line) => lines.push(...line.split('\n')),
    audit: silent,
    now: () => overrides.now ?? T0,
    natsCredentials: as === 'nobody' ? {} : { user: as, pass: passwords[as] },
    connectTimeoutMs: 2_000,
  });
  contexts.push(ctx);
  return { ctx, lines };
}

async function globalState(): Promise<TradingState | undefined> {
  const kv = await operatorBus.tradingState(TradingStateContract);
  return (await kv.get('global'))?.value;
}

beforeAll(async () => {
  nats = await startPrivateNats(
    renderNatsAuthorization(
      subjects,
      Object.fromEntries(BUS_ROLES.map((r) => [r, { user: r, password: passwords[r] }])),
    ),
  );
  db = await createTestDatabase();
  const free = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  config = PlatformConfig.parse({
    v: 1,
    namespace: subjects.prefix,
    servers: { nats: nats.url, postgres: db.url, redis: servers.redisUrl },
    sim: { port: free[0] },
    ops: {
      ports: {
        'order-manager': free[1],
        reconciler: free[2],
        'risk-gate': free[3],
        'market-data': free[4],
        'strategy-runner': free[5],
      },
    },
    risk: { limitsFile: '/unused.yaml' },
  });
  operatorBus = await connectBus({
    service: 'operator',
    subjects,
    logger: silent,
    registry: new Registry(),
    servers: nats.url,
    streams: TEST_STREAMS,
    credentials: { user: 'operator', pass: passwords.operator },
  });
  await operatorBus.ensureStreams();
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  await operatorBus?.drain();
  await nats?.stop();
  await db?.drop();
});

const kill = { scope: { kind: 'global' } as const, reason: 'drill', cancelAll: false, json: false, timeoutMs: 2_000 };

describe('operator acts on a NATS with permissions', { timeout: 30_000 }, () => {
  it('a kill without credentials is refused by the server; the attempt is recorded as refused', async () => {
    const { ctx } = context('nobody');
    await expect(runKill(ctx, kill)).rejects.toThrow(/NATS at nats:\/\/127\.0\.0\.1:\d+: .*/);
    expect(await globalState()).toBeUndefined();
    const rows = await listActions(ctx, undefined);
    expect(rows.map((r) => [r.action, r.target, r.natsUser, r.outcome])).toEqual([['kill', 'global', null, 'refused']]);
  });

  it("a kill with a strategy runner's credentials is refused by the server and recorded as refused", async () => {
    const { ctx } = context('strategy-runner', { now: T0 + 1_000 });
    await expect(runKill(ctx, kill)).rejects.toThrow(/permission/i);
    expect(await globalState()).toBeUndefined();
    const rows = await listActions(ctx, T0 + 1_000);
    expect(rows.map((r) => [r.action, r.natsUser, r.outcome])).toEqual([['kill', 'strategy-runner', 'refused']]);
  });

  it("the operator's kill halts trading and is recorded: who, when, host, what, why, outcome", async () => {
    const { ctx, lines } = context('operator', { now: T0 + 2_000 });
    expect(await runKill(ctx, kill)).toBe(0);
    expect(lines).toEqual(['HALTED global (by alice: drill)']);
    expect(await globalState()).toMatchObject({ mode: 'HALTED', setBy: 'alice', reason: 'drill' });
    const [row] = await listActions(ctx, T0 + 2_000);
    expect(row).toMatchObject({
      operator: 'alice',
      natsUser: 'operator',
      host: hostname(),
      action: 'kill',
      target: 'global',
      reason: 'drill',
      outcome: 'done',
      requestedAt: new Date(T0 + 2_000),
    });
    expect(row?.outcomeDetail).toMatch(/^revision \d+$/);
  });

  it('a resume that cannot be recorded first does not take effect', async () => {
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nope`;
    const { ctx } = context('operator', { postgres: unreachable });
    await expect(runResume(ctx, { scope: { kind: 'global' }, reason: 'all clear', json: false })).rejects.toThrow(
      /cannot record resume global in the audit log/,
    );
    expect(await globalState()).toMatchObject({ mode: 'HALTED' });
  });

  it('a cancel-all with nobody serving it is recorded as failed', async () => {
    const { ctx } = context('operator', { now: T0 + 3_000 });
    expect(await runCancelAll(ctx, { scope: { kind: 'global' }, json: false, timeoutMs: 500 })).toBe(1);
    const rows = await listActions(ctx, T0 + 3_000);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([['cancel-all', 'failed']]);
  });

  it("a limits reload goes to the risk gate with the operator's user, and is refused with a runner's", async () => {
    const riskGate = await connectBus({
      service: 'risk-gate',
      subjects,
      logger: silent,
      registry: new Registry(),
      servers: nats.url,
      credentials: { user: 'risk-gate', pass: passwords['risk-gate'] },
    });
    const asked: string[] = [];
    riskGate.serve(
      subjects.command('risk-gate', 'reload-limits'),
      { name: 'ReloadLimitsCommand', schema: ReloadLimitsCommand },
      { name: 'OperatorReply', schema: OperatorReply },
      (c) => {
        asked.push(c.requestedBy);
        return { v: 1 as const, ok: true as const, result: { result: 'applied', changes: 2 } };
      },
    );
    await riskGate.flush();
    try {
      const runner = context('strategy-runner', { now: T0 + 4_000 });
      expect(await runReloadLimits(runner.ctx, { json: false, timeoutMs: 1_000 })).toBe(1);
      const operator = context('operator', { now: T0 + 5_000 });
      expect(await runReloadLimits(operator.ctx, { reason: 'new caps', json: false, timeoutMs: 2_000 })).toBe(0);
      expect(operator.lines).toEqual(['limits reload: {"result":"applied","changes":2}']);
      expect(asked).toEqual(['alice']);
      const rows = await listActions(operator.ctx, T0 + 4_000);
      expect(rows.map((r) => [r.action, r.natsUser, r.reason, r.outcome])).toEqual([
        ['reload-limits', 'strategy-runner', null, 'refused'],
        ['reload-limits', 'operator', 'new caps', 'done'],
      ]);
    } finally {
      await riskGate.drain();
    }
  });

  it('bourse audit --since lists the acts since then, oldest first', async () => {
    const { ctx, lines } = context('operator');
    expect(await runAudit(ctx, { since: T0 + 1_000, json: false })).toBe(0);
    expect(lines[0]).toMatch(/^WHEN +OPERATOR +NATS USER +HOST +ACTION +TARGET +REASON +OUTCOME$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(4, 6))).toEqual([
      ['kill', 'global'],
      ['kill', 'global'],
      ['cancel-all', 'global'],
      ['reload-limits', 'risk-gate'],
      ['reload-limits', 'risk-gate'],
    ]);
    expect(lines[1]).toContain('refused: ');
    expect(lines[2]).toMatch(/done: revision \d+$/);
  });
});

describe('parseSince', () => {
  it('reads durations and ISO times, and nothing else', () => {
    expect(parseSince('30m', T0)).toBe(T0 - 30 * 60_000);
    expect(parseSince('2d', T0)).toBe(T0 - 2 * 86_400_000);
    expect(parseSince('2026-01-02T03:04:05.123Z', T0)).toBe(T0);
    expect(parseSince('yesterday', T0)).toBeUndefined();
  });
});
