// Issue 16 part 2: each automatic kill-switch trigger with each action, at the level of the
// processes (the sim, the order manager, the reconciler, the risk gate and the gateway as `bourse
// start` runs them). Every trigger trips its own scope, each with resting orders at the sim, beside
// a strategy that trips nothing: a `halt` leaves the scope's orders resting; a `halt-and-cancel`
// leaves none of them open at the sim within a second of the trip, and every other scope's orders
// untouched. The trips and what they canceled are on the trading state and in `bourse status`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import {
  FeedStatus,
  Intent,
  OrderRequest,
  TradingState,
  tradingStateKey,
  type TradingStateScope,
} from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import { Platform } from './support/platform.js';

let platform: Platform;
let venue: BinanceVenueClient;
let bus: Bus;
let tradingStates: TypedKv<TradingState>;

/** The resting orders placed for each scope, by a name of the test's own. */
const resting = new Map<string, string[]>();
/** Scopes whose orders a halt-and-cancel trip canceled: not expected open any more. */
const canceledScopes = new Set<string>();

const INSTRUMENT: Record<string, string> = {
  BTCUSDT: 'BTC/USDT',
  SOLUSDT: 'SOL/USDT',
  BNBUSDT: 'BNB/USDT',
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      const logs = ['order-manager', 'risk-gate', 'reconciler', 'reconciler-cancel']
        .map((s) => `--- ${s}\n${platform.logs(s, 12)}`)
        .join('\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function bid(symbol: string): Promise<number> {
  const res = await fetch(`${platform.plan.endpoints.restUrl}/api/v3/ticker/bookTicker?symbol=${symbol}`);
  return Number(((await res.json()) as { bidPrice: string }).bidPrice);
}

let seq = 0;
async function sendRequest(
  strategyId: string,
  symbol: string,
  shape: { style: 'limit'; price: string; qty: string } | { style: 'market'; qty: string },
): Promise<string> {
  seq += 1;
  const clientOrderId = `systest:1:ks${Date.now().toString(36)}${seq}`;
  await bus.publishDurable(
    platform.subjects.orderRequest(symbol),
    { name: 'OrderRequest', schema: OrderRequest },
    OrderRequest.parse({
      v: 1,
      clientOrderId,
      intentId: `systest-${clientOrderId}`,
      strategyId,
      strategyVersion: '1.0.0',
      venue: 'binance',
      instrument: INSTRUMENT[symbol],
      venueSymbol: symbol,
      side: 'BUY',
      reduceOnly: false,
      createdAt: Date.now(),
      ...(shape.style === 'limit' ? { ...shape, timeInForce: 'GTC' } : shape),
    }),
    { msgId: clientOrderId },
  );
  return clientOrderId;
}

/** An intent of `strategyId` through the risk gate (which follows the orders it accepted, and only those). */
async function sendIntent(
  strategyId: string,
  shape: { style: 'limit' | 'limit-maker'; price: string; qty: string } | { style: 'market'; qty: string },
): Promise<void> {
  seq += 1;
  const id = `systest-intent-${Date.now().toString(36)}-${seq}`;
  await bus.publishDurable(
    platform.subjects.intent(strategyId, 'BTCUSDT'),
    { name: 'Intent', schema: Intent },
    Intent.parse({
      v: 1,
      id,
      strategyId,
      strategyVersion: '1.0.0',
      venue: 'binance',
      instrument: 'BTC/USDT',
      side: 'BUY',
      reduceOnly: false,
      inputs: {},
      createdAt: Date.now(),
      ...shape,
    }),
    { msgId: id },
  );
}

/** Two BUYs far below the market, resting at the sim, named `name`. */
async function placeResting(name: string, strategyId: string, symbol: string): Promise<void> {
  const price = (Math.floor((await bid(symbol)) * 0.85 * 100) / 100).toFixed(2);
  const qty = symbol === 'BTCUSDT' ? '0.001' : '0.1';
  resting.set(name, [
    await sendRequest(strategyId, symbol, { style: 'limit', price, qty }),
    await sendRequest(strategyId, symbol, { style: 'limit', price, qty }),
  ]);
}

async function openIds(): Promise<Set<string>> {
  return new Set((await venue.openOrders()).map((o) => o.clientOrderId as string));
}

/** Every order of every scope not canceled by a trip is still open at the sim. */
async function expectOthersResting(): Promise<void> {
  const open = await openIds();
  for (const [name, ids] of resting) {
    if (canceledScopes.has(name)) continue;
    expect(
      ids.filter((id) => !open.has(id)),
      `${name}'s orders are still open`,
    ).toEqual([]);
  }
}

async function tripOf(scope: TradingStateScope): Promise<TradingState | undefined> {
  const entry = await tradingStates.get(tradingStateKey(scope));
  return entry?.value.mode === 'HALTED' && entry.value.trip !== undefined ? entry.value : undefined;
}

/** Waits for the trip; with halt-and-cancel, no order of `name` open at the sim within a second of it. */
async function expectTrip(
  name: string,
  scope: TradingStateScope,
  trigger: string,
  action: 'halt' | 'halt-and-cancel',
  timeoutMs = 30_000,
): Promise<TradingState> {
  const state = await waitFor(`${trigger} to trip ${JSON.stringify(scope)}`, () => tripOf(scope), timeoutMs);
  expect(state.trip).toMatchObject({ trigger, action });
  expect(state.reason).toContain(`${trigger}: ${action}`);
  const ids = resting.get(name) ?? [];
  if (action === 'halt-and-cancel') {
    canceledScopes.add(name);
    const seen = performance.now();
    await waitFor(
      `no order of ${name} open at the sim`,
      async () => {
        const open = await openIds();
        return ids.every((id) => !open.has(id));
      },
      1_000,
    );
    expect(performance.now() - seen).toBeLessThan(1_000);
    // The cancel's answer is recorded on the trip.
    const recorded = await waitFor(
      'the cancel recorded on the trip',
      async () => (await tripOf(scope))?.trip?.cancel,
      10_000,
    );
    expect([...recorded.canceled].sort()).toEqual([...ids].sort());
    expect(recorded.ok).toBe(true);
  } else {
    const open = await openIds();
    expect(
      ids.filter((id) => !open.has(id)),
      `${name}'s orders stay after a halt`,
    ).toEqual([]);
  }
  await expectOthersResting();
  return state;
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      const sim = config.sim as Record<string, unknown>;
      sim.symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'];
      (config.strategies as Record<string, unknown>).list = [];
      const limits = (config.risk as { limits: Record<string, unknown> }).limits;
      const global = limits.global as Record<string, unknown>;
      global.killSwitch = { reconciliationDriftAction: 'halt' };
      // A wide price band, so the post-only orders above the ask pass the gate (the venue refuses them).
      const roomy = { maxOrderQty: '10', maxOrderNotional: '10000000', maxPosition: '100', priceBandBps: '500' };
      limits.strategies = {
        'dl-halt': { ...roomy, maxDailyLoss: { USDT: '0' }, killSwitch: { dailyLossAction: 'halt' } },
        'dl-cancel': { ...roomy, maxDailyLoss: { USDT: '0' } }, // the default: halt-and-cancel
        'rb-halt': { ...roomy, killSwitch: { rejectionBurst: { count: 2, windowMs: 60_000 } } }, // the default: halt
        'rb-cancel': {
          ...roomy,
          killSwitch: { rejectionBurst: { count: 2, windowMs: 60_000 }, rejectionBurstAction: 'halt-and-cancel' },
        },
      };
      limits.instruments = {
        'BTC/USDT': { maxAggregatePosition: '100' },
        'SOL/USDT': { killSwitch: { staleFeedHaltAfterMs: 300 } }, // the default: halt
        'BNB/USDT': { killSwitch: { staleFeedHaltAfterMs: 300, staleFeedAction: 'halt-and-cancel' } },
      };
    },
  });
  for (const service of ['exchange-sim', 'order-manager', 'reconciler', 'risk-gate', 'market-data'] as const) {
    await platform.start(service);
  }
  bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
  tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  venue = await BinanceVenueClient.connect({
    options: {
      target: { name: 'sim', endpoints: { ...platform.plan.endpoints } },
      orderPath: 'rest',
      timeSyncIntervalMs: 0,
    },
    credentials: loadApiCredentials({
      target: 'sim',
      env: {
        BINANCE_SIM_API_KEY: platform.simCredentials.apiKey,
        BINANCE_SIM_API_SECRET: platform.simCredentials.apiSecret,
      },
    }),
    metrics: createBinanceMetrics(),
  });
  await waitFor(
    'global ACTIVE after the first reconciliation',
    async () => (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode === 'ACTIVE',
    60_000,
  );
  await placeResting('keep', 'keep', 'BTCUSDT');
  await placeResting('dl-halt', 'dl-halt', 'BTCUSDT');
  await placeResting('dl-cancel', 'dl-cancel', 'BTCUSDT');
  await placeResting('rb-halt', 'rb-halt', 'BTCUSDT');
  await placeResting('rb-cancel', 'rb-cancel', 'BTCUSDT');
  await placeResting('SOLUSDT', 'keep', 'SOLUSDT');
  await placeResting('BNBUSDT', 'keep', 'BNBUSDT');
  await waitFor(
    'every resting order open at the sim',
    async () => {
      const open = await openIds();
      return [...resting.values()].flat().every((id) => open.has(id));
    },
    30_000,
  );
}, 240_000);

afterAll(async () => {
  await venue?.close();
  await bus?.drain();
  await platform?.close();
}, 120_000);

/**
 * Two post-only BUYs above the ask: the risk gate accepts them, the venue refuses them (a LIMIT_MAKER
 * that would take, -2010). A rejection burst of the strategy.
 */
async function rejectTwice(strategyId: string): Promise<void> {
  const res = await fetch(`${platform.plan.endpoints.restUrl}/api/v3/ticker/bookTicker?symbol=BTCUSDT`);
  const ask = Number(((await res.json()) as { askPrice: string }).askPrice);
  const price = (Math.ceil(ask * 1.01 * 100) / 100).toFixed(2);
  await sendIntent(strategyId, { style: 'limit-maker', price, qty: '0.001' });
  await sendIntent(strategyId, { style: 'limit-maker', price, qty: '0.001' });
}

function publishStale(symbol: string): void {
  bus.publish(
    platform.subjects.md.feedStatus('binance', symbol),
    { name: 'FeedStatus', schema: FeedStatus },
    {
      v: 1,
      venue: 'binance',
      instrument: INSTRUMENT[symbol],
      state: 'stale',
      reason: 'no market data for 5000 ms (limit 5000 ms)',
      changedAt: Date.now(),
    },
  );
}

describe.sequential('automatic kill switches, each trigger with each action, as processes', () => {
  it('rejection burst, halt: the strategy is halted and its orders rest', async () => {
    await rejectTwice('rb-halt');
    await expectTrip('rb-halt', { kind: 'strategy', strategyId: 'rb-halt' }, 'rejection-burst', 'halt');
  }, 60_000);

  it('rejection burst, halt-and-cancel: none of its orders open within a second, others untouched', async () => {
    await rejectTwice('rb-cancel');
    await expectTrip('rb-cancel', { kind: 'strategy', strategyId: 'rb-cancel' }, 'rejection-burst', 'halt-and-cancel');
  }, 60_000);

  it('stale feed, halt: the instrument is halted and its orders rest', async () => {
    publishStale('SOLUSDT');
    await expectTrip('SOLUSDT', { kind: 'instrument', symbol: 'SOLUSDT' }, 'stale-feed', 'halt');
  }, 60_000);

  it('stale feed, halt-and-cancel: none of the instrument orders open within a second, others untouched', async () => {
    publishStale('BNBUSDT');
    await expectTrip('BNBUSDT', { kind: 'instrument', symbol: 'BNBUSDT' }, 'stale-feed', 'halt-and-cancel');
  }, 60_000);

  // A market buy pays the spread and the fee: the strategy's day is a loss, past its limit of 0.
  it('daily loss, halt: the strategy is halted and its orders rest', async () => {
    await sendIntent('dl-halt', { style: 'market', qty: '0.001' });
    await expectTrip('dl-halt', { kind: 'strategy', strategyId: 'dl-halt' }, 'daily-loss', 'halt', 60_000);
  }, 90_000);

  it('daily loss, halt-and-cancel (the default): none of its orders open within a second, others untouched', async () => {
    await sendIntent('dl-cancel', { style: 'market', qty: '0.001' });
    await expectTrip(
      'dl-cancel',
      { kind: 'strategy', strategyId: 'dl-cancel' },
      'daily-loss',
      'halt-and-cancel',
      60_000,
    );
  }, 90_000);

  it('`bourse status` shows every trip in force, its action and what it canceled', async () => {
    const status = await platform.bourse(['status']);
    expect(status.stdout).toContain('== kill-switch trips');
    expect(status.stdout).toMatch(/strategy rb-halt.*rejection-burst → halt,/);
    expect(status.stdout).toMatch(/strategy rb-cancel.*rejection-burst → halt-and-cancel.*canceled 2 open order\(s\)/);
    expect(status.stdout).toMatch(/SOLUSDT.*stale-feed → halt,/);
    expect(status.stdout).toMatch(/BNBUSDT.*stale-feed → halt-and-cancel.*canceled 2 open order\(s\)/);
    expect(status.stdout).toMatch(/strategy dl-cancel.*daily-loss → halt-and-cancel.*canceled 2 open order\(s\)/);
  }, 60_000);

  it('reconciliation drift, halt (as configured in the limits): trading halted, every order rests', async () => {
    // Credited without a balanceUpdate: a change the user-data stream never reported.
    const deposit = await fetch(`${platform.simAdminUrl}/deposit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: platform.simCredentials.apiKey, asset: 'USDT', amount: '1000', notify: false }),
    });
    expect(deposit.status).toBe(200);
    const recon = await platform.bourse(['recon', '--json']);
    expect(recon.stdout).toContain('drift-halted');
    await expectTrip('keep', { kind: 'global' }, 'reconciliation-drift', 'halt');
  }, 90_000);

  it('reconciliation drift, halt-and-cancel (the default): no order open at the sim within a second', async () => {
    // The reconciler run with the default action: its start run finds the same drift once resumed.
    await platform.stop('reconciler');
    const resume = await platform.bourse(['resume', '--reason', 'drift test']);
    expect(resume.code, resume.stderr).toBe(0);
    const opsUrl = platform.plan.opsUrls.reconciler;
    const started = platform.startReplica(
      'reconciler',
      'reconciler-cancel',
      { RECON_DRIFT_ACTION: 'halt-and-cancel' },
      opsUrl,
    );
    const state = await waitFor('the drift trip', () => tripOf({ kind: 'global' }), 60_000);
    expect(state.trip).toMatchObject({ trigger: 'reconciliation-drift', action: 'halt-and-cancel' });
    await waitFor('no order open at the sim', async () => (await openIds()).size === 0, 1_000);
    const recorded = await waitFor(
      'the cancel recorded on the trip',
      async () => (await tripOf({ kind: 'global' }))?.trip?.cancel,
      10_000,
    );
    expect(recorded.ok).toBe(true);
    expect(recorded.canceled.length).toBeGreaterThan(0);
    await started;
  }, 120_000);
});
