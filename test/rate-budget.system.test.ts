// Issue 16 part 1: every process that calls the venue spends one budget, kept in Redis as the venue
// counts it (request weight per IP, orders per account). The four venue-facing services and a
// second order-manager replica run flat out against one simulator account whose limits are made
// small (300 weight per 5-second window, 20 orders per 10 seconds) so that "flat out" is reached in
// seconds: the reconciler runs every second, and both order managers get more order requests than
// the account may place. The simulator, counting as Binance counts, never answers 429 or 418, and
// no window of it holds more weight or orders than the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '@bourse/bus';
import { OrderRequest, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { freePorts, Platform } from './support/platform.js';

const WEIGHT_LIMIT = 300;
const WEIGHT_WINDOW_S = 5;
const ORDER_LIMIT_10S = 20;
const REQUESTS = 60;

interface Usage {
  weightWindowMs: number;
  requestWeightLimit: number;
  ordersPer10Seconds: number;
  weight: Record<string, { start: number; count: number }[]>;
  orders10s: Record<string, { start: number; count: number }[]>;
  tooManyRequests: number;
  banned: number;
}

let platform: Platform;
let bus: Bus;
const replicaName = 'order-manager-2';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      const logs = ['order-manager', replicaName, 'reconciler', 'market-data', 'strategy-runner']
        .map((s) => `--- ${s}\n${platform.logs(s, 10)}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function simUsage(): Promise<Usage> {
  const res = await fetch(`${platform.simAdminUrl}/rate-limits`);
  return (await res.json()) as Usage;
}

async function metricSum(opsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      Object.assign(config.reconciler as Record<string, unknown>, { intervalMs: 1_000 });
    },
    simArgs: [
      '--weight-limit',
      String(WEIGHT_LIMIT),
      '--weight-window-s',
      String(WEIGHT_WINDOW_S),
      '--order-limit-10s',
      String(ORDER_LIMIT_10S),
    ],
  });
  await platform.startAll();
  const [replicaPort] = await freePorts(1);
  await platform.startReplica(
    'order-manager',
    replicaName,
    { OPS_PORT: String(replicaPort), OMS_INSTANCE: '1' },
    `http://127.0.0.1:${replicaPort}`,
  );
  bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
}, 240_000);

afterAll(async () => {
  await bus?.drain();
  await platform?.close();
}, 120_000);

describe('one venue budget for every process, in Redis', () => {
  it('each process says at start that its budget is the shared one', () => {
    for (const service of ['order-manager', replicaName, 'reconciler', 'market-data', 'strategy-runner']) {
      expect(
        platform.output(service).some((line) => line.includes('venue rate budget shared in Redis')),
        `${service}:\n${platform.logs(service, 20)}`,
      ).toBe(true);
    }
  });

  it('four services and a second order manager flat out never earn a 429 or 418, and no window passes the limit', async () => {
    const tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
    await waitFor(
      'global ACTIVE after the first reconciliation',
      async () => (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode === 'ACTIVE',
      60_000,
    );
    const book = (await (
      await fetch(`${platform.plan.endpoints.restUrl}/api/v3/ticker/bookTicker?symbol=BTCUSDT`)
    ).json()) as { bidPrice: string };
    // Far enough below the market to rest, inside the venue's price band.
    const price = (Math.floor(Number(book.bidPrice) * 0.9 * 100) / 100).toFixed(2);
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const clientOrderId = `systest:1:budget${Date.now().toString(36)}${i}`;
      ids.push(clientOrderId);
      await bus.publishDurable(
        platform.subjects.orderRequest('BTCUSDT'),
        { name: 'OrderRequest', schema: OrderRequest },
        OrderRequest.parse({
          v: 1,
          clientOrderId,
          intentId: `systest-${clientOrderId}`,
          strategyId: 'sma-btc',
          strategyVersion: '1.0.0',
          venue: 'binance',
          instrument: 'BTC/USDT',
          venueSymbol: 'BTCUSDT',
          side: 'BUY',
          qty: '0.001',
          style: 'limit',
          price,
          timeInForce: 'GTC',
          reduceOnly: false,
          createdAt: Date.now(),
        }),
        { msgId: clientOrderId },
      );
    }
    // Every request has an outcome: placed, or refused by the budget before it reached the venue.
    await waitFor(
      `an outcome for all ${REQUESTS} requests`,
      async () => {
        const { rows } = await platform.db.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM orders WHERE client_order_id = ANY($1) AND status <> 'pending-new'",
          [ids],
        );
        return Number(rows[0]?.n) === REQUESTS;
      },
      150_000,
    );

    const usage = await simUsage();
    expect(usage.weightWindowMs).toBe(WEIGHT_WINDOW_S * 1000);
    expect(usage.tooManyRequests).toBe(0);
    expect(usage.banned).toBe(0);
    const weightWindows = Object.values(usage.weight).flat();
    const orderWindows = Object.values(usage.orders10s).flat();
    expect(weightWindows.filter((w) => w.count > WEIGHT_LIMIT)).toEqual([]);
    expect(orderWindows.filter((w) => w.count > ORDER_LIMIT_10S)).toEqual([]);
    // Flat out: the account's order count was the bound, and processes waited for the budget.
    expect(Math.max(...orderWindows.map((w) => w.count))).toBeGreaterThanOrEqual(ORDER_LIMIT_10S * 0.75);
    let waits = 0;
    for (const service of ['order-manager', 'reconciler', 'market-data', 'strategy-runner'] as const) {
      waits += await metricSum(platform.plan.opsUrls[service], 'bourse_venue_rate_limit_waits_total');
    }
    expect(waits).toBeGreaterThan(0);
  }, 240_000);
});
