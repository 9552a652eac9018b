import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { assertPrototypeClean, hostileTexts, mutated } from '@bourse/contracts/testing';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { loadApiCredentials } from '../common/credentials.js';
import { createBinanceMetrics } from '../common/metrics.js';
import { OrderResponse } from '../common/models.js';
import { InMemoryRateBudget } from '../common/rate-budget.js';
import { BinanceRateLimiter } from '../common/rate-limiter.js';
import { ServerClock } from '../common/server-clock.js';
import { BinanceWsApi } from './ws-api.js';

// A loopback WebSocket server answers each request with hostile frames: stray garbage first, then
// the documented reply mutated (its id kept, so the client can match it). The client settles each
// request with a valid result or a VenueError, counts what it drops, and keeps its connection.

const fixtures = JSON.parse(
  readFileSync(new URL('../../test-data/ws-api-responses.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>>;
const replies = Object.entries(fixtures)
  .filter(([k]) => k !== 'comment' && k !== 'userDataSubscribeResult')
  .map(([, v]) => v);

interface Script {
  stray: string[];
  reply: unknown;
}
let script: Script = { stray: [], reply: {} };
let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 4 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws-api/v3`;
  server.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      const req = JSON.parse(data.toString()) as { id: string };
      for (const s of script.stray) socket.send(s);
      const reply = script.reply;
      // Keep the request's id on an object reply so the client can match it. Anything else cannot
      // be matched: it goes as a stray frame, followed by a plain error answer to the request.
      if (reply !== null && typeof reply === 'object' && !Array.isArray(reply)) {
        socket.send(JSON.stringify({ ...reply, id: req.id }));
      } else {
        socket.send(JSON.stringify(reply) ?? 'null');
        socket.send(JSON.stringify({ id: req.id, status: 400, error: { code: -1100, msg: 'Illegal characters' } }));
      }
    });
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('WS-API replies under hostile input', () => {
  it('settle each request with a valid result or a VenueError and never drop the connection', async () => {
    const clock = { now: () => Date.now() };
    const limiter = new BinanceRateLimiter({ backend: new InMemoryRateBudget(clock), clock, maxWaitMs: 0 });
    const metrics = createBinanceMetrics();
    const api = new BinanceWsApi({
      name: 'ws-api',
      url,
      credentials: loadApiCredentials({
        target: 'sim',
        env: { BINANCE_SIM_API_KEY: 'fake-key', BINANCE_SIM_API_SECRET: 'fake-secret' },
      }),
      limiter,
      serverClock: new ServerClock(clock, async () => Date.now()),
      clock,
      recvWindowMs: 5_000,
      requestTimeoutMs: 2_000,
      reconnectBaseMs: 20,
      reconnectMaxMs: 40,
      rotateMs: 0,
      staleMs: 30_000,
      venue: 'binance',
      metrics,
      onEvent: () => {},
    });
    await api.start();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            hostileTexts(replies).filter((t) => t.length < 3 * 1024 * 1024),
            { maxLength: 2 },
          ),
          mutated(replies.filter((r) => r['status'] === 200 || r['status'] === 400)),
          async (stray, reply) => {
            script = { stray, reply };
            try {
              const result = await api.request({
                method: 'order.place',
                params: { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001', newClientOrderId: 'f1' },
                signed: true,
                weight: 1,
                orders: 1,
                mutating: true,
                schema: OrderResponse,
              });
              expect(OrderResponse.safeParse(result).success).toBe(true);
            } catch (err) {
              expect(err, String(err)).toBeInstanceOf(VenueError);
              // Every request is answered under its id: it settles, never by a timeout.
              if (err instanceof VenueError) {
                expect(err.code, err.message).not.toBe(VenueErrorCode.TIMEOUT);
                if (err.code === VenueErrorCode.MALFORMED_RESPONSE)
                  expect(err.message).toMatch(/(response|result): [^:]+: /);
              }
            }
            assertPrototypeClean();
          },
        ),
        { numRuns: 30 },
      );
      const reconnects = (await metrics.reconnects.get()).values.reduce((sum, v) => sum + v.value, 0);
      expect(reconnects).toBe(0);
    } finally {
      await api.close();
    }
  });
});
