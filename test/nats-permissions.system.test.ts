// The platform on a nats-server with least privilege (issue 19 part 3): every service connects as
// its own user with the permissions libs/bus renders from the subjects, and the whole flow still
// trades, while a strategy runner's user cannot publish an order request or write the trading
// state. The operator's `bourse kill` works with the operator user and lands in `bourse audit`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type BusRole, type TypedKv } from '@bourse/bus';
import { OrderRequest, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { Platform } from './support/platform.js';

let platform: Platform;
const buses: Bus[] = [];
let tradingStates: TypedKv<TradingState>;

async function busAs(role: BusRole): Promise<Bus> {
  const nats = platform.nats;
  if (nats === undefined) throw new Error('the platform runs without NATS permissions');
  const bus = await connectBus({
    service: `system-test-${role}`,
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
    servers: nats.server.url,
    credentials: { user: role, pass: nats.passwords[role] },
  });
  buses.push(bus);
  return bus;
}

/** Polls `probe` until it is true, or fails naming `what` with the services' last lines. */
async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const logs = (['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const)
        .map((s) => `--- ${s}\n${platform.logs(s, 15)}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}${last === undefined ? '' : ` (${String(last)})`}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function globalMode(): Promise<string | undefined> {
  return (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode;
}

beforeAll(async () => {
  platform = await Platform.create({
    natsPermissions: true,
    configure: (config) => {
      const strategies = (config.strategies as { list: Array<{ params: Record<string, unknown> }> }).list;
      for (const s of strategies) Object.assign(s.params, { fast: 2, slow: 5 });
      Object.assign((config.sim as { activity: Record<string, unknown> }).activity, { volatility: 0.002 });
    },
  });
  await platform.startAll();
  tradingStates = await (await busAs('operator')).tradingState({ name: 'TradingState', schema: TradingState });
}, 180_000);

afterAll(async () => {
  for (const bus of buses) await bus.drain().catch(() => undefined);
  await platform?.close();
}, 120_000);

describe.sequential('the platform with per-service NATS users', () => {
  it('trades: reconciliation turns trading on, intents become orders and fills reach PostgreSQL', async () => {
    await waitFor('global trading state ACTIVE', async () => (await globalMode()) === 'ACTIVE', 60_000);
    await waitFor(
      'a fill stored by the order manager',
      async () => {
        const { rows } = await platform.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM fills');
        return Number(rows[0]?.n ?? 0) > 0;
      },
      120_000,
    );
  }, 200_000);

  it("refuses the strategy runner's user an order request and a trading-state write", async () => {
    const runner = await busAs('strategy-runner');
    const request = OrderRequest.parse({
      v: 1,
      clientOrderId: 'systest:1:forgedbyrunner',
      intentId: 'systest-forged-by-runner',
      strategyId: 'sma-btc',
      strategyVersion: '1.0.0',
      venue: 'binance',
      instrument: 'BTC/USDT',
      venueSymbol: 'BTCUSDT',
      side: 'BUY',
      qty: '0.01',
      style: 'market',
      reduceOnly: false,
      createdAt: Date.now(),
    });
    await expect(
      runner.publishDurable(
        platform.subjects.orderRequest('BTCUSDT'),
        { name: 'OrderRequest', schema: OrderRequest },
        request,
        { msgId: request.clientOrderId },
      ),
    ).rejects.toThrow(/permission/i);
    const kv = await runner.tradingState({ name: 'TradingState', schema: TradingState });
    await expect(
      kv.put('global', {
        v: 1,
        scope: { kind: 'global' },
        mode: 'HALTED',
        reason: 'forged',
        setBy: 'runner',
        updatedAt: Date.now(),
      }),
    ).rejects.toThrow(/permission/i);
    expect(await globalMode()).toBe('ACTIVE');
  }, 60_000);

  it("`bourse kill` with the operator's user halts, and `bourse audit` lists it", async () => {
    const kill = await platform.bourse(['kill', '--reason', 'least-privilege drill']);
    expect(kill.code, kill.stderr).toBe(0);
    expect(await globalMode()).toBe('HALTED');
    const audit = await platform.bourse(['audit', '--since', '1h', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const rows = JSON.parse(audit.stdout) as Array<Record<string, unknown>>;
    expect(rows.at(-1)).toMatchObject({
      operator: 'system-test',
      natsUser: 'operator',
      action: 'kill',
      target: 'global',
      reason: 'least-privilege drill',
      outcome: 'done',
    });
  }, 60_000);

  it('no service ran into a permission it lacks', () => {
    for (const service of ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const)
      expect(platform.logs(service, 4_000), service).not.toMatch(/Permissions Violation|Authorization Violation/);
  });
});
