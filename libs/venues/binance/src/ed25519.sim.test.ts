// The adapter's Ed25519 path against a venue: a key pair whose public half the simulator holds (as
// Binance registers it) signs REST requests, WebSocket API orders and the user data subscription.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';
import type { UserDataEvent, UserDataFeed } from '@bourse/venues';
import { BinanceVenueClient } from './binance-venue.js';
import { loadApiCredentials } from './common/credentials.js';
import { createBinanceMetrics } from './common/metrics.js';
import { startSim, waitFor, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const cid = (s: string) => ClientOrderId.parse(`${s}-${Math.random().toString(36).slice(2, 10)}`);

describe('Ed25519 keys against the simulator', () => {
  const apiKey = 'ed25519-adapter-key';
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  let sim: RunningSim;
  const clients: BinanceVenueClient[] = [];

  const connect = async (orderPath: 'ws-api' | 'rest', pem: string): Promise<BinanceVenueClient> => {
    const credentials = loadApiCredentials({
      target: 'sim',
      env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_PRIVATE_KEY_PEM: pem },
    });
    expect(credentials.current().keyType).toBe('ed25519');
    const client = await BinanceVenueClient.connect({
      options: {
        target: {
          name: 'sim',
          endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
        },
        orderPath,
        requestTimeoutMs: 2_000,
        reconnectBaseMs: 50,
        reconnectMaxMs: 500,
        timeSyncIntervalMs: 0,
      },
      credentials,
      metrics: createBinanceMetrics(),
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    sim = (
      await startSim({
        apiKeys: [{ apiKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
      })
    ).sim;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '2' });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await sim?.close();
  });

  it('places over the WebSocket API and hears the fill on the user data stream', async () => {
    const client = await connect('ws-api', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const feed: UserDataFeed = client.userData();
    await feed.start();
    const id = cid('ed');
    const filled = waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'order' }>>(
      (l) => feed.on(l),
      (e) => (e.kind === 'order' && e.update.clientOrderId === id && e.update.status === 'filled' ? e : undefined),
      10_000,
      `the fill of ${id}`,
    );
    const placed = await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'market',
      quantity: '0.02',
    });
    expect(placed).toMatchObject({ outcome: 'accepted', via: 'ws-api' });
    expect((await filled).fill).toMatchObject({ clientOrderId: id, price: '50010' });
  });

  it('signs REST requests (balances, order) with the key', async () => {
    const client = await connect('rest', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const btc = (await client.balances()).find((b) => b.asset === 'BTC');
    // 5 BTC at start + 0.02 bought - 0.1 % commission in BTC.
    expect(btc?.free).toMatch(/^5\.01998/);
    const placed = await client.placeOrder({
      clientOrderId: cid('rest'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '40000',
    });
    expect(placed).toMatchObject({ outcome: 'accepted', via: 'rest' });
  });

  it('a different private key under the same API key is refused by the venue', async () => {
    const stranger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(connect('rest', stranger).then((c) => c.balances())).rejects.toThrow(/-1022|signature/i);
  });
});
