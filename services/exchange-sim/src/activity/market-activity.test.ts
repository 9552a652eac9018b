import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { RestClient, TEST_KEY, WsClient } from '../test-support.js';
import { offsetTicks, ReplayFileError, replayProcess, snapToTick } from './price-process.js';

const sims: RunningExchangeSim[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
});

async function start(options: Parameters<typeof startExchangeSim>[0]): Promise<RunningExchangeSim> {
  const s = await startExchangeSim(options);
  sims.push(s);
  return s;
}

describe('price helpers', () => {
  it('snaps a model price to the tick as an exact decimal', () => {
    expect(snapToTick(60000.123456, '0.01')).toBe('60000.12');
    expect(snapToTick(0.0000001, '0.01')).toBe('0.01');
    expect(offsetTicks('100.05', '0.01', -5)).toBe('100');
    expect(offsetTicks('0.02', '0.01', -2)).toBeUndefined();
  });
});

describe('simulated market', () => {
  it('liquidity providers quote both sides and takers print trades on the tape', async () => {
    const sim = await start({
      apiKeys: [TEST_KEY],
      seed: 3,
      marketActivity: { enabled: false, levels: 6, takerProbability: 1 },
    });
    const c = await WsClient.open(`${sim.wsStreamUrl}/ws/btcusdt@trade`);
    try {
      sim.stepMarket();
      sim.stepMarket();
      const trade = await c.next((m) => m.e === 'trade');
      expect(trade.s).toBe('BTCUSDT');
      const depth = sim.engine.depth('BTCUSDT', 100);
      expect(depth.bids.length).toBeGreaterThanOrEqual(5);
      expect(depth.asks.length).toBeGreaterThanOrEqual(5);
    } finally {
      c.close();
    }
  });

  it('runs on its own timer when enabled', async () => {
    const sim = await start({
      apiKeys: [TEST_KEY],
      marketActivity: { enabled: true, intervalMs: 20, takerProbability: 1 },
    });
    const c = await WsClient.open(`${sim.wsStreamUrl}/ws/ethusdt@aggTrade`);
    try {
      expect(await c.next((m) => m.e === 'aggTrade')).toMatchObject({ s: 'ETHUSDT' });
    } finally {
      c.close();
    }
  });

  it('our orders fill at the touch, partially when bigger than the level, or not at all when away', async () => {
    const sim = await start({
      apiKeys: [TEST_KEY],
      seed: 11,
      balances: { USDT: '1000000', BTC: '10' },
      marketActivity: { enabled: false, takerProbability: 0, levelNotional: '6000' },
    });
    sim.stepMarket();
    const rest = new RestClient(sim.restUrl);
    const touch = sim.engine.bookTicker('BTCUSDT');
    const small = await rest.signed<{ status: string; fills: { price: string }[] }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: touch.askPrice,
    });
    expect(small.body.status).toBe('FILLED');
    expect(small.body.fills[0]?.price).toBe(
      `${touch.askPrice.split('.')[0]}.${(touch.askPrice.split('.')[1] ?? '').padEnd(8, '0')}`,
    );
    const after = sim.engine.bookTicker('BTCUSDT');
    const big = await rest.signed<{ status: string; executedQty: string }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '5',
      price: after.askPrice,
    });
    expect(big.body.status).toBe('PARTIALLY_FILLED');
    const away = await rest.signed<{ status: string }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1000',
    });
    sim.stepMarket();
    sim.stepMarket();
    expect(away.body.status).toBe('NEW');
    const still = await rest.signed<{ status: string }[]>('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(still.body.some((o) => o.status === 'NEW')).toBe(true);
  });

  it('replays prices from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exchange-sim-replay-'));
    try {
      const file = join(dir, 'prices.csv');
      await writeFile(file, '# ts,symbol,price\n1,BTCUSDT,61000\n2,BTCUSDT,62000\n');
      const sim = await start({
        apiKeys: [TEST_KEY],
        symbols: ['BTCUSDT'],
        marketActivity: {
          enabled: false,
          process: 'replay',
          replayFile: file,
          takerProbability: 0,
          halfSpreadTicks: 1,
        },
      });
      sim.stepMarket();
      expect(sim.engine.bookTicker('BTCUSDT')).toMatchObject({
        bidPrice: expect.stringMatching(/^60999\.99/) as string,
      });
      sim.stepMarket();
      expect(sim.engine.bookTicker('BTCUSDT')).toMatchObject({
        askPrice: expect.stringMatching(/^62000\.01/) as string,
      });
      await writeFile(file, 'BTCUSDT,not-a-price\n');
      expect(() => replayProcess(file)).toThrow(ReplayFileError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
