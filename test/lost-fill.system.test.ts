// A fill lost on the user-data stream is recovered, and trading stays on (issue "A fault run
// finds…", part 1). The simulator, the order manager and the reconciler run as processes, started
// as `bourse start` starts them; order requests go down the ORDERS stream as the risk gate sends
// them. The sim swallows the answer to a market order and hides its fills from the user stream, so
// the order manager learns the order only by query; newer orders then fill and are stored before
// the reconciler's first run. At the end every venue trade is stored exactly once, the stored
// balances and the positions equal the sim's account, and trading is ACTIVE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { OrderRequest, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import { Platform } from './support/platform.js';
import {
  positionsAgainstVenue,
  storedBalances,
  storedFillIds,
  venueBalances,
  venueTradeIds,
} from './support/venue-account.js';

const INSTRUMENTS = ['BTC/USDT'];

let platform: Platform;
let venue: BinanceVenueClient;
let bus: Bus;
let tradingStates: TypedKv<TradingState>;

/** Polls `probe` until it returns a value other than undefined (or false), or fails naming `what` with the logs. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      const logs = (['order-manager', 'reconciler'] as const)
        .map((s) => `--- ${s} (${platform.isRunning(s) ? 'running' : 'stopped'})\n${platform.logs(s, 25)}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function setFaults(faults: Record<string, number>): Promise<void> {
  const res = await fetch(`${platform.simAdminUrl}/faults`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
}

let seq = 0;
/** A market BUY of 0.01 BTC, sent down the ORDERS stream as the risk gate sends one. */
async function marketBuy(): Promise<string> {
  seq += 1;
  const clientOrderId = `lostfill:1:m${Date.now().toString(36)}${seq}`;
  const request = OrderRequest.parse({
    v: 1,
    clientOrderId,
    intentId: `lostfill-${clientOrderId}`,
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
  await bus.publishDurable(
    platform.subjects.orderRequest('BTCUSDT'),
    { name: 'OrderRequest', schema: OrderRequest },
    request,
    {
      msgId: clientOrderId,
    },
  );
  return clientOrderId;
}

async function orderRow(
  clientOrderId: string,
): Promise<{ status: string; filled: string; booked: string } | undefined> {
  const { rows } = await platform.db.pool.query<{ status: string; filled: string; booked: string }>(
    'SELECT status, filled_qty::text AS filled, booked_qty::text AS booked FROM orders WHERE client_order_id = $1',
    [clientOrderId],
  );
  return rows[0];
}

/** Filled at the venue and every fill of it stored. */
async function fullyBooked(clientOrderId: string): Promise<boolean> {
  const row = await orderRow(clientOrderId);
  return row?.status === 'filled' && Number(row.booked) === Number(row.filled);
}

async function globalMode(): Promise<string | undefined> {
  return (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode;
}

/** The venue's account and what Bourse stored agree exactly; trading is ACTIVE. */
async function expectAccountMatchesVenue(): Promise<void> {
  await waitFor(
    'every venue trade stored exactly once',
    async () =>
      JSON.stringify(await storedFillIds(platform.db.pool)) === JSON.stringify(await venueTradeIds(venue, INSTRUMENTS)),
    30_000,
  );
  expect(await storedBalances(platform.db.pool)).toEqual(await venueBalances(venue));
  for (const p of await positionsAgainstVenue(platform.db.pool, venue, platform.config.sim.balances, INSTRUMENTS))
    expect(p.held, `position in ${p.base}`).toBe(p.gained);
  expect(await globalMode()).toBe('ACTIVE');
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      // Runs only when started or asked: each test decides when the reconciler looks.
      Object.assign(config.reconciler as Record<string, unknown>, { intervalMs: 3_600_000 });
    },
  });
  await platform.start('exchange-sim');
  await platform.start('order-manager');
  bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
  tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  await tradingStates.put(tradingStateKey({ kind: 'global' }), {
    v: 1,
    scope: { kind: 'global' },
    mode: 'ACTIVE',
    reason: 'lost-fill system test',
    setBy: 'system-test',
    updatedAt: Date.now(),
  });
  venue = await BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: {
          restUrl: platform.plan.endpoints.restUrl,
          wsStreamUrl: platform.plan.endpoints.wsStreamUrl,
          wsApiUrl: platform.plan.endpoints.wsApiUrl,
        },
      },
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
}, 120_000);

afterAll(async () => {
  await venue?.close();
  await bus?.drain();
  await platform?.close();
}, 120_000);

describe.sequential('a fill lost on the user-data stream', () => {
  it('an order learnt by query gets its hidden fill booked; newer fills before the first run hide nothing', async () => {
    await setFaults({ dropResponses: 1, hideUserFillsMs: 600_000 });
    const lost = await marketBuy();
    // The order manager never hears the answer nor the fill; it asks the venue, and books the
    // order's trades from the venue at once.
    await waitFor('the lost order filled and its fill booked', () => fullyBooked(lost), 60_000);
    // Booked by the order manager itself (its log line comes through the pipe after the commit).
    await waitFor(
      'the order manager to say it booked the fill from the venue',
      async () => platform.logs('order-manager', 400).includes('missing fills booked from the venue'),
      10_000,
    );

    await setFaults({ hideUserFillsMs: 0 });
    const newer = [await marketBuy(), await marketBuy()];
    for (const id of newer) await waitFor(`newer order ${id} booked`, () => fullyBooked(id), 30_000);

    // The reconciler's first run, with newer fills stored after the lost one.
    await platform.start('reconciler');
    const { rows } = await platform.db.pool.query<{ verdict: string; report: { missedFillsRecovered: string[] } }>(
      `SELECT verdict, report FROM reconciliation_runs WHERE trigger = 'start' ORDER BY finished_at DESC LIMIT 1`,
    );
    expect(rows[0]?.verdict).toBe('ok');
    await expectAccountMatchesVenue();
  }, 180_000);

  it('the same with the order manager killed between the query and booking the fill', async () => {
    // Every REST call fails while the order goes out over the WS-API: its answer is swallowed, the
    // query (WS-API) finds it filled, the order's trades (REST) cannot be read; then the process dies.
    await setFaults({ dropResponses: 1, hideUserFillsMs: 600_000, serverErrors: 1_000_000 });
    const lost = await marketBuy();
    await waitFor(
      'the order resolved by query with its fill not booked',
      async () => {
        const row = await orderRow(lost);
        return (
          row?.status === 'filled' &&
          Number(row.booked) === 0 &&
          platform.logs('order-manager', 400).includes('trades of an order missing fills not read')
        );
      },
      60_000,
    );
    await platform.stop('order-manager', 'SIGKILL');
    await setFaults({ serverErrors: 0, hideUserFillsMs: 0 });

    await platform.start('order-manager');
    const newer = await marketBuy();
    await waitFor(`newer order ${newer} booked`, () => fullyBooked(newer), 30_000);
    await waitFor('the lost order booked after the restart', () => fullyBooked(lost), 30_000);

    const recon = await platform.bourse(['recon', '--json']);
    expect(recon.code, recon.stdout + recon.stderr).toBe(0);
    expect(recon.stdout).not.toContain('drift-halted');
    await expectAccountMatchesVenue();
  }, 240_000);
});
