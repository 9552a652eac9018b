import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubjects, TradingState } from '@bourse/contracts';
import type { Subjects } from '@bourse/contracts';
import { Registry } from 'prom-client';
import { connectBus } from './connect.js';
import { busCredentialsFromEnv } from './credentials.js';
import { BUS_ROLES, busPermissions, passwordVariable, renderNatsAuthorization } from './permissions.js';
import type { BusRole, NatsUserAuth } from './permissions.js';
import { DURABLE_CONSUMERS, strategyRunnerExecConsumer } from './streams.js';
import type { Ping } from './test-helpers.js';
import { captureLogger, Collector, PingContract, within } from './test-helpers.js';
import { natsServerVersion, startPrivateNats, TEST_STREAMS } from './testing.js';
import type { PrivateNats } from './testing.js';
import type { Bus } from './types.js';

const TradingStateContract = { name: 'TradingState', schema: TradingState };

describe('busPermissions', () => {
  const subjects = createSubjects('t_perm');
  const perms = busPermissions(subjects);

  it('lets only the risk gate publish order requests', () => {
    const mayPublishOrders = BUS_ROLES.filter((r) => perms[r].publish.some((s) => s.startsWith('t_perm.order.')));
    expect(mayPublishOrders).toEqual(['risk-gate']);
  });

  it('lets only the order manager publish execution events', () => {
    expect(BUS_ROLES.filter((r) => perms[r].publish.includes(subjects.exec.all()))).toEqual(['order-manager']);
  });

  it('lets only the gateway publish market data', () => {
    expect(BUS_ROLES.filter((r) => perms[r].publish.includes(subjects.md.all()))).toEqual(['market-data']);
  });

  it('lets only the operator book a balance transfer at the order manager', () => {
    // NATS subject matching: `*` is one token, `>` the rest.
    const covers = (pattern: string, subject: string): boolean => {
      const p = pattern.split('.');
      const t = subject.split('.');
      for (let i = 0; i < p.length; i += 1) {
        if (p[i] === '>') return t.length > i;
        if (p[i] !== '*' && p[i] !== t[i]) return false;
      }
      return p.length === t.length;
    };
    const subject = subjects.command('order-manager', 'book-transfer');
    expect(BUS_ROLES.filter((r) => perms[r].publish.some((s) => covers(s, subject)))).toEqual(['operator']);
    expect(BUS_ROLES.filter((r) => perms[r].subscribe.some((s) => covers(s, subject)))).toEqual(['order-manager']);
  });

  it('never lets a strategy runner write the trading state', () => {
    expect(perms['strategy-runner'].publish).not.toContain(`$KV.${subjects.tradingStateBucket}.>`);
    expect(perms.operator.publish).toContain(`$KV.${subjects.tradingStateBucket}.>`);
  });

  it('renders no secret when passwords come from the environment', () => {
    const conf = renderNatsAuthorization(createSubjects());
    expect(conf).toContain('password: $BOURSE_NATS_PASSWORD_ORDER_MANAGER');
    expect(conf).toContain('"order.request.>"');
  });

  it('makes deploy/nats/secured.conf a valid nats-server config once the passwords are set', async () => {
    const deploy = fileURLToPath(new URL('../../../deploy/nats/', import.meta.url));
    const settings = readFileSync(join(deploy, 'nats.conf'), 'utf8');
    // The durability decision (README "Durability"): every write fsync'd before its ack.
    expect(settings).toMatch(/^\s*sync_interval: always$/m);
    // nats-server before 2.10 (Debian 12 ships 2.9.10) refuses the unknown `sync_interval`; the
    // images deploy/ and k8s/ run are 2.10. On an older binary the rest is checked without that line.
    const version = await natsServerVersion();
    const knowsSyncInterval = version !== undefined && (version[0] > 2 || (version[0] === 2 && version[1] >= 10));
    const dir = mkdtempSync(join(tmpdir(), 'bourse-conf-'));
    try {
      for (const name of ['secured.conf', 'auth.conf']) copyFileSync(join(deploy, name), join(dir, name));
      writeFileSync(
        join(dir, 'nats.conf'),
        knowsSyncInterval ? settings : settings.replace(/^\s*sync_interval: always$/m, ''),
      );
      const env = Object.fromEntries(BUS_ROLES.map((r) => [passwordVariable(r), `pw-${r}`]));
      const check = spawnSync('nats-server', ['-c', join(dir, 'secured.conf'), '-t'], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      expect(check.stderr.toString() + check.stdout.toString()).toContain('is valid');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what deploy/nats/auth.conf and its k8s copies hold', () => {
    // The files render-nats-auth.ts writes (importing it would run it).
    for (const path of ['deploy/nats/auth.conf', 'k8s/base/servers/auth.conf', 'k8s/overlays/live/auth.conf']) {
      const file = fileURLToPath(new URL(`../../../${path}`, import.meta.url));
      expect(readFileSync(file, 'utf8'), path).toBe(renderNatsAuthorization(createSubjects()));
    }
  });
});

describe('busCredentialsFromEnv', () => {
  it('reads a creds file path, user and password, or nothing', () => {
    expect(busCredentialsFromEnv({ NATS_CREDS: '/run/secrets/oms.creds' })).toEqual({
      credsFile: '/run/secrets/oms.creds',
    });
    expect(busCredentialsFromEnv({ NATS_USER: 'risk-gate', NATS_PASSWORD: 'pw' })).toEqual({
      user: 'risk-gate',
      pass: 'pw',
    });
    expect(busCredentialsFromEnv({})).toBeUndefined();
  });
});

describe('a nats-server with the rendered permissions', () => {
  const ns = `t_${randomBytes(5).toString('hex')}`;
  const subjects: Subjects = createSubjects(ns);
  const passwords = Object.fromEntries(BUS_ROLES.map((r) => [r, randomBytes(12).toString('hex')])) as Record<
    BusRole,
    string
  >;
  const users = Object.fromEntries(BUS_ROLES.map((r) => [r, { user: r, password: passwords[r] }])) as Record<
    BusRole,
    NatsUserAuth
  >;
  let nats: PrivateNats;
  const buses: Bus[] = [];

  async function busAs(role: BusRole): Promise<Bus> {
    const bus = await connectBus({
      service: role,
      subjects,
      logger: captureLogger().logger,
      registry: new Registry(),
      servers: nats.url,
      streams: TEST_STREAMS,
      credentials: { user: role, pass: passwords[role] },
      requestTimeoutMs: 2_000,
    });
    buses.push(bus);
    return bus;
  }

  const ping = (id: string): Ping => ({ version: 1, id, qty: '1' });
  const active = (setBy: string): TradingState => ({
    v: 1,
    scope: { kind: 'global' },
    mode: 'ACTIVE',
    reason: 'test',
    setBy,
    updatedAt: 1_700_000_000_000,
  });

  beforeAll(async () => {
    nats = await startPrivateNats(renderNatsAuthorization(subjects, users));
  }, 30_000);

  afterAll(async () => {
    for (const bus of buses) await bus.drain().catch(() => undefined);
    await nats?.stop();
  });

  it('refuses a connection without credentials', async () => {
    await expect(
      connectBus({
        service: 'anonymous',
        subjects,
        logger: captureLogger().logger,
        registry: new Registry(),
        servers: nats.url,
        credentials: {},
      }),
    ).rejects.toThrow(/Authorization Violation/i);
  });

  it('carries an intent to an order request to an execution event, and refuses the runner the order path', async () => {
    const operator = await busAs('operator');
    await operator.ensureStreams();
    const operatorKv = await operator.tradingState(TradingStateContract);
    await operatorKv.put('global', active('operator'));

    const runner = await busAs('strategy-runner');
    const riskGate = await busAs('risk-gate');
    const oms = await busAs('order-manager');
    // Every service checks the streams on start; those without update rights find them in place.
    await runner.ensureStreams();
    await riskGate.ensureStreams();

    // The normal flow: runner intent → risk gate → order request → OMS → execution event → runner.
    const requests = new Collector<Ping>();
    const fills = new Collector<Ping>();
    await riskGate.consume(DURABLE_CONSUMERS.riskGateIntents, PingContract, async (intent) => {
      await riskGate.publishDurable(subjects.orderRequest('BTCUSDT'), PingContract, intent, {
        msgId: `req-${intent.id}`,
      });
    });
    await oms.consume(DURABLE_CONSUMERS.orderManagerRequests, PingContract, async (request) => {
      requests.push(request);
      await oms.publishDurable(subjects.exec.fill('BTCUSDT'), PingContract, request, { msgId: `fill-${request.id}` });
    });
    await runner.consume(strategyRunnerExecConsumer('s0'), PingContract, (fill) => fills.push(fill));
    await runner.publishDurable(subjects.intent('sma', 'BTCUSDT'), PingContract, ping('i1'), { msgId: 'i1' });
    await within(fills.until(1), 10_000, 'the fill of the runner intent');
    expect(requests.items.map((r) => r.id)).toEqual(['i1']);
    expect(fills.items.map((f) => f.id)).toEqual(['i1']);

    // The runner reads the trading state…
    const runnerKv = await runner.tradingState(TradingStateContract);
    expect((await runnerKv.get('global'))?.value.mode).toBe('ACTIVE');

    // …but the server refuses its order request and its write of the trading state.
    await expect(
      runner.publishDurable(subjects.orderRequest('BTCUSDT'), PingContract, ping('forged'), { msgId: 'forged' }),
    ).rejects.toThrow(/permission/i);
    await expect(runnerKv.put('global', { ...active('runner'), mode: 'HALTED' })).rejects.toThrow(/permission/i);
    expect((await operatorKv.get('global'))?.value.setBy).toBe('operator');
    expect(requests.items.map((r) => r.id)).toEqual(['i1']);
  }, 60_000);
});
