// `bourse book-transfer` on a NATS with permissions: the operator's act reaches the order manager
// (here a small in-test responder under the order manager's user that books into a map), is
// recorded in the audit log before it is sent and given its outcome after; anyone else is refused
// by the server. The flags are checked as commander parses them, naming the flag at fault.
import { randomBytes } from 'node:crypto';
import { BUS_ROLES, connectBus, renderNatsAuthorization, type Bus, type BusRole } from '@bourse/bus';
import { startPrivateNats, testSubjects, type PrivateNats } from '@bourse/bus/testing';
import { BookTransferCommand, BookTransferReply, OperatorReply } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { PlatformConfig } from '../platform/platform-config.js';
import { freePort } from '@bourse/servers/testing';
import { listActions } from './audit.js';
import { createOperatorContext, type OperatorContext } from './context.js';
import { registerOperatorCommands } from './register.js';
import { runBookTransfer } from './transfer.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 123);
const servers = loadConfig();
const subjects = testSubjects();
const silent = pino({ level: 'silent' });
const passwords = Object.fromEntries(BUS_ROLES.map((r) => [r, randomBytes(12).toString('hex')])) as Record<
  BusRole,
  string
>;
const BookTransferContract = { name: 'BookTransferCommand', schema: BookTransferCommand };

let nats: PrivateNats;
let db: TestDatabase;
let config: PlatformConfig;
let orderManager: Bus;
const contexts: OperatorContext[] = [];
/** What the responder was asked, and its books: the free USDT balance and the transfers booked. */
const asked: BookTransferCommand[] = [];
let free = dec('100');
const booked = new Set<string>();

function context(
  as: BusRole,
  now: number,
  overrides: { postgres?: string } = {},
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
    now: () => now,
    natsCredentials: { user: as, pass: passwords[as] },
    connectTimeoutMs: 2_000,
  });
  contexts.push(ctx);
  return { ctx, lines };
}

const deposit = { asset: 'USDT', delta: '250', reason: 'deposit found at the venue', json: false, timeoutMs: 2_000 };

beforeAll(async () => {
  nats = await startPrivateNats(
    renderNatsAuthorization(
      subjects,
      Object.fromEntries(BUS_ROLES.map((r) => [r, { user: r, password: passwords[r] }])),
    ),
  );
  db = await createTestDatabase();
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  config = PlatformConfig.parse({
    v: 1,
    namespace: subjects.prefix,
    servers: { nats: nats.url, postgres: db.url, redis: servers.redisUrl },
    sim: { port: ports[0] },
    ops: {
      ports: {
        'order-manager': ports[1],
        reconciler: ports[2],
        'risk-gate': ports[3],
        'market-data': ports[4],
        'strategy-runner': ports[5],
      },
    },
    risk: { limitsFile: '/unused.yaml' },
  });
  orderManager = await connectBus({
    service: 'order-manager',
    subjects,
    logger: silent,
    registry: new Registry(),
    servers: nats.url,
    credentials: { user: 'order-manager', pass: passwords['order-manager'] },
  });
  // Books like bookBalanceTransfer: once per (asset, time, amount); a withdrawal beyond `free` is refused.
  orderManager.serve(
    subjects.command('order-manager', 'book-transfer'),
    BookTransferContract,
    { name: 'BookTransferReply', schema: BookTransferReply },
    (c) => {
      asked.push(c);
      const base = { venue: 'binance', asset: c.asset, delta: c.delta };
      const key = `${c.asset}|${c.requestedAt}|${dec(c.delta).toString()}`;
      if (booked.has(key))
        return { v: 1 as const, ok: true as const, result: { ...base, outcome: 'duplicate' as const } };
      const after = free.plus(dec(c.delta));
      if (after.isNegative())
        return {
          v: 1 as const,
          ok: true as const,
          result: { ...base, outcome: 'refused' as const, free: free.toString() },
        };
      booked.add(key);
      free = after;
      return {
        v: 1 as const,
        ok: true as const,
        result: { ...base, outcome: 'booked' as const, free: free.toString() },
      };
    },
  );
  await orderManager.flush();
}, 60_000);

afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  await orderManager?.drain();
  await nats?.stop();
  await db?.drop();
});

describe('bourse book-transfer (NATS with permissions, PostgreSQL)', { timeout: 30_000 }, () => {
  it("books the operator's deposit at the order manager and records who, what, why and the outcome", async () => {
    const { ctx, lines } = context('operator', T0);
    expect(await runBookTransfer(ctx, deposit)).toBe(0);
    expect(lines).toEqual(['book-transfer 250 USDT: booked; stored free USDT is now 350']);
    expect(asked.at(-1)).toEqual({
      v: 1,
      command: 'book-transfer',
      requestedBy: 'alice',
      requestedAt: T0,
      asset: 'USDT',
      delta: '250',
      reason: 'deposit found at the venue',
    });
    const rows = await listActions(ctx, T0);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operator: 'alice',
      natsUser: 'operator',
      action: 'book-transfer',
      target: 'asset USDT',
      reason: 'deposit found at the venue',
      detail: { asset: 'USDT', delta: '250' },
      outcome: 'done',
      outcomeDetail: 'booked: stored free 350 USDT',
      requestedAt: new Date(T0),
    });
  });

  it('the same act sent again is a duplicate: exit 0, nothing changes', async () => {
    const { ctx, lines } = context('operator', T0);
    expect(await runBookTransfer(ctx, { ...deposit, json: true })).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ ok: true, result: { outcome: 'duplicate' } });
    expect(free.toString()).toBe('350');
  });

  it('a withdrawal the stored balance cannot pay is refused: exit 1, recorded as refused', async () => {
    const { ctx, lines } = context('operator', T0 + 1_000);
    expect(await runBookTransfer(ctx, { ...deposit, delta: '-1000', reason: 'withdrawal on the website' })).toBe(1);
    expect(lines).toEqual([
      'book-transfer -1000 USDT REFUSED: the stored free balance 350 USDT cannot pay it; nothing booked',
    ]);
    const rows = await listActions(ctx, T0 + 1_000);
    expect(rows.map((r) => [r.action, r.outcome, r.outcomeDetail])).toEqual([
      ['book-transfer', 'refused', 'stored free 350 USDT cannot pay it'],
    ]);
  });

  it("is refused by the server under a strategy runner's user, and recorded as refused", async () => {
    const before = asked.length;
    const { ctx, lines } = context('strategy-runner', T0 + 2_000);
    expect(await runBookTransfer(ctx, deposit)).toBe(1);
    expect(lines[0]).toMatch(/^book-transfer 250 USDT FAILED: .*permission/i);
    expect(asked).toHaveLength(before);
    const rows = await listActions(ctx, T0 + 2_000);
    expect(rows.map((r) => [r.action, r.natsUser, r.outcome])).toEqual([
      ['book-transfer', 'strategy-runner', 'refused'],
    ]);
  });

  it('is not sent when the audit log cannot be written first', async () => {
    const before = asked.length;
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nope`;
    const { ctx } = context('operator', T0 + 3_000, { postgres: unreachable });
    await expect(runBookTransfer(ctx, deposit)).rejects.toThrow(
      /cannot record book-transfer asset USDT in the audit log/,
    );
    expect(asked).toHaveLength(before);
  });

  it('a reply that breaks its contract is a failure naming the bad field, recorded as failed', async () => {
    // Another order manager's version, answering on its own subject prefix: an outcome the contract does not know.
    const other = testSubjects();
    const bus = await connectBus({
      service: 'order-manager',
      subjects: other,
      logger: silent,
      registry: new Registry(),
      servers: servers.natsUrl,
    });
    bus.serve(
      other.command('order-manager', 'book-transfer'),
      BookTransferContract,
      { name: 'OperatorReply', schema: OperatorReply },
      () => ({
        v: 1 as const,
        ok: true as const,
        result: { outcome: 'lost', venue: 'binance', asset: 'USDT', delta: '1' },
      }),
    );
    await bus.flush();
    const lines: string[] = [];
    const ctx = createOperatorContext({
      config: { ...config, namespace: other.prefix, servers: { ...config.servers, nats: servers.natsUrl } },
      operator: 'alice',
      out: (line) => lines.push(...line.split('\n')),
      audit: silent,
      now: () => T0 + 4_000,
      natsCredentials: {},
    });
    contexts.push(ctx);
    try {
      expect(await runBookTransfer(ctx, deposit)).toBe(1);
    } finally {
      await bus.drain();
    }
    expect(lines[0]).toMatch(/^book-transfer 250 USDT FAILED: CONTRACT_VIOLATION: .*BookTransferReply is invalid/);
    expect(lines[0]).toMatch(/result\.outcome/);
    const rows = await listActions(ctx, T0 + 4_000);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([['book-transfer', 'failed']]);
  });
});

describe('bourse book-transfer flags', () => {
  class Parsed extends Error {}
  async function parse(args: string[]): Promise<Record<string, unknown>> {
    const errors: string[] = [];
    const p = new Command('bourse')
      .exitOverride()
      .configureOutput({ writeOut: () => {}, writeErr: (s) => errors.push(s) });
    registerOperatorCommands(p);
    let opts: Record<string, unknown> = {};
    p.hook('preAction', (_root, action) => {
      opts = action.opts();
      throw new Parsed();
    });
    try {
      await p.parseAsync(['book-transfer', ...args], { from: 'user' });
    } catch (err) {
      if (err instanceof Parsed) return opts;
      if (err instanceof CommanderError) throw new Error(errors.join('') || err.message);
      throw err;
    }
    throw new Error('the command ran past its preAction hook');
  }
  const reason = ['--reason', 'deposit found at the venue'];

  it('reads a signed amount, either sign, and an asset in any case', async () => {
    expect(await parse(['--asset', 'usdt', '--delta', '250', ...reason])).toMatchObject({
      asset: 'USDT',
      delta: '250',
      reason: 'deposit found at the venue',
      timeout: 10_000,
    });
    expect(await parse(['--asset', 'BTC', '--delta', '-0.015', ...reason])).toMatchObject({ delta: '-0.015' });
    expect(await parse(['--asset', 'BTC', '--delta=+12.5', ...reason])).toMatchObject({ delta: '12.5' });
  });

  it.each([
    [['--asset', 'USDT', '--delta', '0', ...reason], /'--delta <amount>'.*must not be zero/],
    [['--asset', 'USDT', '--delta', '2.5e2', ...reason], /'--delta <amount>'.*signed decimal/],
    [['--asset', 'USDT', '--delta', 'NaN', ...reason], /'--delta <amount>'.*signed decimal/],
    [['--asset', 'US-DT', '--delta', '1', ...reason], /'--asset <code>'.*asset code/],
    [['--asset', 'USDT', '--delta', '1', '--reason', ' '], /'--reason <text>'.*must not be empty/],
    [['--asset', 'USDT', '--delta', '1'], /'--reason <text>' not specified/],
    [['--delta', '1', ...reason], /'--asset <code>' not specified/],
  ])('refuses %j naming the flag', async (args, message) => {
    await expect(parse(args)).rejects.toThrow(message);
  });
});
