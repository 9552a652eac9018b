// Issue 17 part 3, as processes: two platforms with different namespaces on the same NATS,
// PostgreSQL database and Redis trade at once, and neither sees the other's orders, fills,
// positions, market snapshots or trading state, through its own tables and through the `bourse`
// commands an operator runs. Each has its own simulator (its own venue account); intents are sent as
// a strategy sends them, so both trade at the same moment without waiting for a crossing average.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { Intent, Quote, RiskDecision, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { Platform } from './support/platform.js';

interface Side {
  readonly platform: Platform;
  readonly bus: Bus;
  readonly tradingStates: TypedKv<TradingState>;
  /** The quantity this platform's strategy buys: different on each side, so a crossed row shows. */
  readonly qty: string;
  /** The gate's decisions, for a failure message. */
  readonly decisions: RiskDecision[];
}

const STRATEGY = 'sma-btc';
const SERVICES = ['exchange-sim', 'order-manager', 'reconciler', 'risk-gate', 'market-data'] as const;
let a: Side;
let b: Side;

async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function side(platform: Platform, qty: string): Promise<Side> {
  for (const service of SERVICES) await platform.start(service);
  const bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
  const tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  const decisions: RiskDecision[] = [];
  bus.subscribe(platform.subjects.riskDecision(STRATEGY), { name: 'RiskDecision', schema: RiskDecision }, (d) => {
    decisions.push(d);
  });
  await bus.flush();
  return { platform, bus, tradingStates, qty, decisions };
}

async function globalMode(s: Side): Promise<string | undefined> {
  return (await s.tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode;
}

/** Resolves on the next BTCUSDT quote of the side's gateway: the gate, subscribed since before it was ready, has it too. */
function nextQuote(s: Side): Promise<void> {
  return new Promise((resolve) => {
    const sub = s.bus.subscribe(
      s.platform.subjects.md.quote('binance', 'BTCUSDT'),
      { name: 'Quote', schema: Quote },
      () => {
        void sub.unsubscribe();
        resolve();
      },
    );
  });
}

/** A market BUY of the side's quantity, published on its INTENTS as the strategy runner does. */
async function buy(s: Side): Promise<void> {
  const intent = Intent.parse({
    v: 1,
    id: `ns-${s.platform.subjects.prefix}-${Date.now().toString(36)}`,
    strategyId: STRATEGY,
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    side: 'BUY',
    qty: s.qty,
    style: 'market',
    reduceOnly: false,
    inputs: {},
    createdAt: Date.now(),
  });
  await s.bus.publishDurable(
    s.platform.subjects.intent(STRATEGY, 'BTCUSDT'),
    { name: 'Intent', schema: Intent },
    intent,
    { msgId: intent.id },
  );
}

async function rows(s: Side, sql: string): Promise<Record<string, string>[]> {
  return (await s.platform.db.pool.query<Record<string, string>>(sql)).rows;
}

async function bourseJson(s: Side, args: string[]): Promise<string> {
  const run = await s.platform.bourse([...args, '--json']);
  expect(run.code, `bourse ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  const first = await Platform.create({ configure: (c) => Object.assign(c.sim as object, { seed: 1 }) });
  const second = await Platform.create({
    sharedDatabase: first.db,
    configure: (c) => Object.assign(c.sim as object, { seed: 2 }),
  });
  // Same servers: one database, one Redis, one NATS; only the namespace differs.
  expect(second.config.servers).toEqual(first.config.servers);
  expect(second.subjects.prefix).not.toBe(first.subjects.prefix);
  [a, b] = await Promise.all([side(first, '0.002'), side(second, '0.003')]);
  // On a timeout the message says which side is not ACTIVE and what its reconciler last said.
  const modes: (string | undefined)[] = [];
  await waitFor(
    () =>
      `both platforms ACTIVE (modes: ${modes.map(String).join(', ')})` +
      [a, b]
        .map((s) => `\n--- ${s.platform.subjects.prefix} reconciler:\n${s.platform.logs('reconciler', 20)}`)
        .join(''),
    async () => {
      modes.splice(0, modes.length, await globalMode(a), await globalMode(b));
      return modes.every((mode) => mode === 'ACTIVE');
    },
    90_000,
  );
}, 240_000);

afterAll(async () => {
  for (const s of [b, a]) {
    await s?.bus.drain();
    await s?.platform.close(); // b first: a owns the database
  }
}, 180_000);

describe('two platforms with different namespaces on the same servers', () => {
  it('trade at once, each in its own tables, snapshots and trading state', async () => {
    await Promise.all([nextQuote(a), nextQuote(b)]);
    await Promise.all([buy(a), buy(b)]);
    for (const s of [a, b]) {
      await waitFor(
        () => `a fill in ${s.platform.subjects.prefix} (decisions: ${JSON.stringify(s.decisions)})`,
        async () => (await rows(s, 'SELECT venue_fill_id FROM fills')).length > 0,
        30_000,
      );
    }

    // Orders, fills and positions: each schema holds its own platform's trade and nothing else.
    for (const [own, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const orders = await rows(own, 'SELECT client_order_id, qty::text AS qty FROM orders');
      expect(orders.map((o) => Number(o.qty))).toEqual([Number(own.qty)]);
      const fills = await rows(own, 'SELECT sum(qty)::text AS qty FROM fills');
      expect(Number(fills[0]?.qty)).toBe(Number(own.qty));
      const positions = await rows(own, "SELECT qty::text AS qty FROM positions WHERE instrument = 'BTC/USDT'");
      expect(positions.map((p) => Number(p.qty))).toEqual([Number(own.qty)]);
      const otherOrders = await rows(other, 'SELECT client_order_id FROM orders');

      // The operator's commands read the platform's own namespace.
      const listed = await bourseJson(own, ['orders', '--all']);
      expect(listed).toContain(orders[0]?.client_order_id);
      expect(listed).not.toContain(otherOrders[0]?.client_order_id);
      expect(await bourseJson(own, ['fills'])).not.toContain(otherOrders[0]?.client_order_id);
      const held = JSON.parse(await bourseJson(own, ['positions'])) as { positions: { qty: string }[] };
      expect(held.positions.map((p) => Number(p.qty))).toEqual([Number(own.qty)]);

      // Market snapshots: the gateway writes, and `bourse quotes` reads, the namespace's own Redis prefix.
      const prefix = `bourse:${own.platform.subjects.prefix}:md:`;
      const snapshots = JSON.parse(await bourseJson(own, ['quotes'])) as { key: string }[];
      expect(snapshots.map((q) => q.key).sort()).toEqual([`${prefix}binance:BTCUSDT`, `${prefix}binance:ETHUSDT`]);
    }

    // Trading state: halting one leaves the other trading.
    const kill = await b.platform.bourse(['kill', '--reason', 'namespace test']);
    expect(kill.code, kill.stderr).toBe(0);
    expect(await globalMode(b)).toBe('HALTED');
    expect(await globalMode(a)).toBe('ACTIVE');
    await buy(a);
    await waitFor(
      'a second fill on the platform still ACTIVE',
      async () => (await rows(a, 'SELECT venue_fill_id FROM fills')).length > 1,
      30_000,
    );
    expect(await rows(b, "SELECT status FROM orders WHERE status = 'filled'")).toHaveLength(1);
  }, 300_000);
});
