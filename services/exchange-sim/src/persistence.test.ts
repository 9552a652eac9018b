import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadState, readRunMarker, StateFileError } from './persistence.js';
import { startExchangeSim } from './server.js';
import { RestClient, TEST_KEY } from './test-support.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exchange-sim-state-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('save and restore', () => {
  it('a restarted sim keeps accounts, open orders, trades and ids', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startExchangeSim({ apiKeys: [TEST_KEY], stateFile, marketActivity: { enabled: false } });
    const rest1 = new RestClient(first.restUrl);
    first.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.5' });
    const bought = await rest1.signed<{ orderId: number }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    const resting = await rest1.signed<{ orderId: number }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.02',
      price: '50000',
      newClientOrderId: 'survivor',
    });
    const accountBefore = (await rest1.signed<{ balances: unknown[] }>('GET', '/api/v3/account')).body.balances;
    const depthBefore = (
      await rest1.public<{ lastUpdateId: number; bids: unknown[]; asks: unknown[] }>('/api/v3/depth', {
        symbol: 'BTCUSDT',
      })
    ).body;
    const saved = await first.save();
    expect(saved.savedTo).toBe(stateFile);
    await first.close();

    const second = await startExchangeSim({
      apiKeys: [TEST_KEY],
      stateFile,
      marketActivity: { enabled: false },
      balances: { USDT: '1' },
    });
    try {
      const rest2 = new RestClient(second.restUrl);
      const order = await rest2.signed<{ status: string; orderId: number }>('GET', '/api/v3/order', {
        symbol: 'BTCUSDT',
        origClientOrderId: 'survivor',
      });
      expect(order.body).toMatchObject({ status: 'NEW', orderId: resting.body.orderId });
      const trades = await rest2.signed<{ orderId: number }[]>('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
      expect(trades.body.map((t) => t.orderId)).toEqual([bought.body.orderId]);
      const accountAfter = (await rest2.signed<{ balances: unknown[] }>('GET', '/api/v3/account')).body.balances;
      expect(accountAfter).toEqual(accountBefore);
      const depthAfter = (await rest2.public<typeof depthBefore>('/api/v3/depth', { symbol: 'BTCUSDT' })).body;
      expect(depthAfter).toEqual(depthBefore);
      const next = await rest2.signed<{ orderId: number }>('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '50000',
      });
      expect(next.body.orderId).toBeGreaterThan(resting.body.orderId);
    } finally {
      await second.close();
    }
  });

  it('close() saves when a state file is set, and the admin endpoint saves on request', async () => {
    const stateFile = join(dir, 'on-close.json');
    const sim = await startExchangeSim({ apiKeys: [TEST_KEY], stateFile, marketActivity: { enabled: false } });
    const res = await fetch(`${sim.adminUrl}/state/save`, { method: 'POST' });
    expect(((await res.json()) as { savedTo: string }).savedTo).toBe(stateFile);
    sim.deposit(TEST_KEY.apiKey, 'BTC', '2');
    await sim.close();
    const state = await loadState(stateFile);
    const account = state?.venue.engine.accounts.find((a) => a.accountId === TEST_KEY.apiKey);
    expect(account?.balances.BTC).toBeDefined();
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('saves while running too (autosave), marking the file as held until a clean stop', async () => {
    const stateFile = join(dir, 'autosave.json');
    const sim = await startExchangeSim({
      apiKeys: [TEST_KEY],
      stateFile,
      autosaveMs: 50,
      marketActivity: { enabled: false },
    });
    try {
      expect(sim.stateReport).toEqual({
        stateFile,
        restoredFrom: null,
        previousRunUnsaved: null,
        heldByLiveProcess: null,
      });
      sim.deposit(TEST_KEY.apiKey, 'ETH', '7');
      // Waits (bounded) for the condition: an autosave holding the deposit, and the marker saying so.
      const deadline = performance.now() + 5000;
      for (;;) {
        const state = await loadState(stateFile).catch(() => undefined);
        const account = state?.venue.engine.accounts.find((a) => a.accountId === TEST_KEY.apiKey);
        const marker = await readRunMarker(stateFile);
        // The engine keeps balances in units of 1e-18: 10 ETH funded at start plus the 7 deposited.
        if (account?.balances.ETH?.[0] === `17${'0'.repeat(18)}` && marker !== undefined && marker.lastSavedAt !== null)
          break;
        if (performance.now() > deadline) throw new Error('no autosave holding the deposit within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await sim.close();
    }
    expect(await readRunMarker(stateFile)).toBeUndefined();
    const again = await startExchangeSim({ stateFile, marketActivity: { enabled: false } });
    await again.close();
    expect(again.stateReport?.previousRunUnsaved).toBeNull();
    expect(again.stateReport?.restoredFrom).toEqual(expect.any(Number));
  });

  it('refuses a corrupt state file with a clear error, and saving without a file', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"version": 9}');
    await expect(startExchangeSim({ stateFile: bad, marketActivity: { enabled: false } })).rejects.toThrow(
      StateFileError,
    );
    await writeFile(bad, 'not json');
    await expect(loadState(bad)).rejects.toThrow(/is not JSON/);
    const sim = await startExchangeSim({ marketActivity: { enabled: false } });
    try {
      await expect(sim.save()).rejects.toThrow(/no stateFile configured/);
      const res = await fetch(`${sim.adminUrl}/state/save`, { method: 'POST' });
      expect(res.status).toBe(409);
    } finally {
      await sim.close();
    }
  });
});
