// A venue that runs for weeks: an hour of market activity (sped up: stepped by hand on a hand-moved
// clock) leaves a state file that holds only open orders, the user's history and the bounded public
// tape, while the user's own orders and trades stay queryable. Binance's 90-day archive of orders
// canceled without a fill applies to the user.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadState } from './persistence.js';
import { ARCHIVE_AFTER_MS } from './retention.js';
import { startExchangeSim, type RunningExchangeSim } from './server.js';
import { ManualClock, RestClient, TEST_KEY } from './test-support.js';

const STEP_MS = 500;
let dir: string;
let sim: RunningExchangeSim;
let rest: RestClient;
const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exchange-sim-retention-'));
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    clock,
    symbols: ['BTCUSDT'],
    stateFile: join(dir, 'state.json'),
    autosaveMs: 0,
    marketActivity: { enabled: false, takerProbability: 0.5, levels: 5 },
  });
  rest = new RestClient(sim.restUrl, TEST_KEY, () => clock.now());
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function savedSize(): Promise<number> {
  const { savedTo } = await sim.save();
  return (await stat(savedTo)).size;
}

function runMarket(steps: number): void {
  for (let i = 0; i < steps; i += 1) {
    clock.advance(STEP_MS);
    sim.stepMarket();
  }
}

describe('state retention', () => {
  it('stays bounded over an hour of market activity and keeps the user history', async () => {
    sim.stepMarket();
    const filled = await rest.signed<{ orderId: number; status: string }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    expect(filled.body.status).toBe('FILLED');
    const canceled = await rest.signed<{ orderId: number }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1000',
    });
    await rest.signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: canceled.body.orderId });
    const resting = await rest.signed<{ orderId: number }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1001',
    });

    const sizes: number[] = [];
    for (let quarter = 1; quarter <= 4; quarter += 1) {
      runMarket(1800); // 15 minutes of steps
      sizes.push(await savedSize());
    }
    const tape = await rest.public<unknown[]>('/api/v3/trades', { symbol: 'BTCUSDT', limit: 1000 });
    // The market traded all along (the tape is full) and placed and cancelled its ladder every step
    // (nextOrderId), yet the file holds only open orders, the user's history and the bounded tape.
    expect(tape.body).toHaveLength(1000);
    const saved = (await loadState(join(dir, 'state.json')))?.venue.engine.symbols[0];
    expect(saved?.nextOrderId).toBeGreaterThan(4 * 1800 * 5); // a ladder of at least 5 orders each step
    const openOrders = sim.engine.getOpenOrders(sim.marketMakerAccount, 'BTCUSDT').length + 1;
    expect(saved?.orders).toHaveLength(openOrders + 2); // + the user's filled and cancelled orders
    expect(saved?.trades.length).toBeLessThanOrEqual(2 * 1000 + 16 + 1); // the tape, trimmed in batches
    expect(Object.keys(saved?.accountTrades ?? {})).toEqual([TEST_KEY.apiKey]);
    // Sawtooth of the tape's batch trimming, not growth: every quarter's file is under one bound.
    expect({ sizes, bounded: sizes.every((n) => n < 1_000_000) }).toMatchObject({ bounded: true });
    expect(sim.engine.getMyTrades(sim.takerAccount, 'BTCUSDT')).toEqual([]);

    const status = async (orderId: number): Promise<unknown> =>
      (await rest.signed<{ status?: string; code?: number }>('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId }))
        .body;
    expect(await status(filled.body.orderId)).toMatchObject({ status: 'FILLED' });
    expect(await status(canceled.body.orderId)).toMatchObject({ status: 'CANCELED' });
    expect(await status(resting.body.orderId)).toMatchObject({ status: 'NEW' });
    const trades = await rest.signed<{ orderId: number }[]>('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.body.map((t) => t.orderId)).toContain(filled.body.orderId);

    // 90 days on, Binance has archived the order canceled without a fill; the rest stays.
    clock.advance(ARCHIVE_AFTER_MS);
    await sim.save();
    expect(await status(canceled.body.orderId)).toMatchObject({ code: -2013 });
    expect(await status(filled.body.orderId)).toMatchObject({ status: 'FILLED' });
    expect(await status(resting.body.orderId)).toMatchObject({ status: 'NEW' });
  }, 120_000);
});
