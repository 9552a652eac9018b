import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { WebSocketServer } from 'ws';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';
import { BinanceVenueClient } from './binance-venue.js';
import { loadApiCredentials } from './common/credentials.js';
import { startSim, type RunningSim } from './testing.js';

// REST from the simulator, the WS-API from a loopback server that swallows cancels: the cancel's
// outcome is unknown and must be learnt from order.status, never by cancelling again.

const BTC = InstrumentSymbol.parse('BTC/USDT');

describe('a cancel whose answer is lost', () => {
  let sim: RunningSim;
  let fake: WebSocketServer;
  let client: BinanceVenueClient;
  const methods: string[] = [];
  let statusReply: 'CANCELED' | 'NEW' = 'CANCELED';

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => fake.once('listening', () => resolve()));
    fake.on('connection', (socket) => {
      socket.on('message', (data) => {
        const req = JSON.parse(data.toString()) as { id: string; method: string; params: Record<string, string> };
        methods.push(req.method);
        if (req.method === 'order.cancel') return; // swallowed
        if (req.method === 'order.status') {
          socket.send(
            JSON.stringify({
              id: req.id,
              status: 200,
              result: {
                symbol: 'BTCUSDT',
                orderId: 77,
                clientOrderId: req.params.origClientOrderId,
                price: '40000.00000000',
                origQty: '0.01000000',
                executedQty: '0.00000000',
                cummulativeQuoteQty: '0.00000000',
                status: statusReply,
                timeInForce: 'GTC',
                type: 'LIMIT',
                side: 'BUY',
                stopPrice: '0.00000000',
                time: 1,
                updateTime: 2,
                isWorking: true,
              },
            }),
          );
        }
      });
    });
    const port = (fake.address() as AddressInfo).port;
    client = await BinanceVenueClient.connect({
      options: {
        target: {
          name: 'sim',
          endpoints: {
            restUrl: sim.restUrl,
            wsStreamUrl: sim.wsStreamUrl,
            wsApiUrl: `ws://127.0.0.1:${port}/ws-api/v3`,
          },
        },
        requestTimeoutMs: 300,
        timeSyncIntervalMs: 0,
      },
      credentials: loadApiCredentials({
        target: 'sim',
        env: { BINANCE_SIM_API_KEY: started.apiKey, BINANCE_SIM_API_SECRET: started.apiSecret },
      }),
    });
  });
  afterAll(async () => {
    await client?.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
    await sim?.close();
  });

  it('is resolved as canceled by order.status, with one cancel sent', async () => {
    methods.length = 0;
    statusReply = 'CANCELED';
    const outcome = await client.cancelOrder({ symbol: BTC, clientOrderId: ClientOrderId.parse('cx-1') });
    expect(outcome.outcome).toBe('canceled');
    expect(methods).toEqual(['order.cancel', 'order.status']);
  });

  it('stays unknown when the order is still open, and is not cancelled again', async () => {
    methods.length = 0;
    statusReply = 'NEW';
    const outcome = await client.cancelOrder({ symbol: BTC, clientOrderId: ClientOrderId.parse('cx-2') });
    expect(outcome).toMatchObject({ outcome: 'unknown', clientOrderId: 'cx-2', via: 'ws-api' });
    if (outcome.outcome === 'unknown') expect(outcome.error.kind).toBe('unknown-outcome');
    expect(methods.filter((m) => m === 'order.cancel')).toHaveLength(1);
  });
});
