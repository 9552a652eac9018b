import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, it, expect } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { loadApiCredentials } from '../common/credentials.js';
import { createBinanceMetrics } from '../common/metrics.js';
import { OrderResponse } from '../common/models.js';
import { InMemoryRateBudget } from '../common/rate-budget.js';
import { BinanceRateLimiter } from '../common/rate-limiter.js';
import { ServerClock } from '../common/server-clock.js';
import { hmacSha256Hex, wsApiSignaturePayload } from '../common/signing.js';
import { BinanceWsApi } from './ws-api.js';

// A loopback WebSocket server that answers with Binance's documented WS-API payloads
// (test-data/ws-api-responses.json), so the client's handling of each is checked over a real socket.

const fixtures = JSON.parse(
  readFileSync(new URL('../../test-data/ws-api-responses.json', import.meta.url), 'utf8'),
) as Record<string, { status: number; result?: unknown; error?: unknown; rateLimits?: unknown }>;
const SECRET = 'fake-venue-secret';

type Reply = Record<string, unknown> | 'swallow' | 'close';
interface Received {
  id: string;
  method: string;
  params: Record<string, unknown>;
}

describe('BinanceWsApi against a loopback server replaying documented responses', () => {
  let server: WebSocketServer;
  let url: string;
  const received: Received[] = [];
  let script: ((req: Received) => Reply)[] = [];
  let timeSyncs = 0;
  const apis: BinanceWsApi[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws-api/v3`;
    server.on('connection', (socket: WebSocket) => {
      socket.on('message', (data) => {
        const req = JSON.parse(data.toString()) as Received;
        received.push(req);
        const next = script.shift();
        const reply = next === undefined ? { status: 500, error: { code: -1000, msg: 'no script' } } : next(req);
        if (reply === 'swallow') return;
        if (reply === 'close') return socket.terminate();
        socket.send(JSON.stringify({ ...reply, id: req.id }));
      });
    });
  });
  afterEach(async () => {
    await Promise.all(apis.splice(0).map((a) => a.close()));
    received.length = 0;
    script = [];
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function open(requestTimeoutMs = 1_000) {
    const clock = { now: () => Date.now() };
    const limiter = new BinanceRateLimiter({ backend: new InMemoryRateBudget(clock), clock, maxWaitMs: 0 });
    const serverClock = new ServerClock(clock, async () => {
      timeSyncs += 1;
      return Date.now() + 5_000;
    });
    const metrics = createBinanceMetrics();
    const api = new BinanceWsApi({
      name: 'ws-api',
      url,
      credentials: loadApiCredentials({
        target: 'sim',
        env: { BINANCE_SIM_API_KEY: 'fake-key', BINANCE_SIM_API_SECRET: SECRET },
      }),
      limiter,
      serverClock,
      clock,
      recvWindowMs: 5_000,
      requestTimeoutMs,
      reconnectBaseMs: 20,
      reconnectMaxMs: 40,
      rotateMs: 0,
      staleMs: 30_000,
      venue: 'binance',
      metrics,
    });
    apis.push(api);
    await api.start();
    return { api, limiter, serverClock, metrics };
  }

  const place = (api: BinanceWsApi) =>
    api.request({
      method: 'order.place',
      params: {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: '23416.10000000',
        quantity: '0.00847000',
        newClientOrderId: 'abc',
      },
      signed: true,
      weight: 1,
      orders: 1,
      mutating: true,
      schema: OrderResponse,
    });

  const failure = async (p: Promise<unknown>): Promise<VenueError> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof VenueError) return err;
      throw err;
    }
    throw new Error('expected a VenueError');
  };

  it('signs params sorted by name with apiKey, timestamp and recvWindow, and parses the result', async () => {
    const { api } = await open();
    script.push(() => fixtures.orderPlaceResult!);
    const result = await place(api);
    expect(result).toMatchObject({ orderId: 12569099453, status: 'NEW', symbol: 'BTCUSDT' });
    const sent = received[0]!;
    expect(sent.method).toBe('order.place');
    expect(sent.params).toMatchObject({ apiKey: 'fake-key', recvWindow: 5_000, newClientOrderId: 'abc' });
    expect(typeof sent.params.timestamp).toBe('number');
    expect(sent.params.signature).toBe(
      hmacSha256Hex(SECRET, wsApiSignaturePayload(sent.params as Record<string, string | number>)),
    );
  });

  it('429 with retryAfter: a retryable RATE_LIMITED, and the next request waits instead of being sent', async () => {
    const { api } = await open();
    script.push(() => fixtures.errorRateLimited!);
    const err = await failure(place(api));
    expect(err).toMatchObject({
      kind: 'retryable',
      code: VenueErrorCode.RATE_LIMITED,
      retryAfterMs: 1_000,
      httpStatus: 429,
    });
    const blocked = await failure(place(api));
    expect(blocked.code).toBe(VenueErrorCode.RATE_LIMITED);
    expect(received).toHaveLength(1);
  });

  it('418: fatal IP_BANNED until the ban ends; nothing more is sent', async () => {
    const { api } = await open();
    script.push(() => fixtures.errorBanned!);
    const err = await failure(place(api));
    expect(err).toMatchObject({ kind: 'fatal', code: VenueErrorCode.IP_BANNED, retryAfterMs: 60_000 });
    const again = await failure(place(api));
    expect(again.code).toBe(VenueErrorCode.IP_BANNED);
    expect(received).toHaveLength(1);
  });

  it('-1021: measures the server time again and sends once more with the corrected timestamp', async () => {
    const { api, serverClock } = await open();
    const syncsBefore = timeSyncs;
    script.push(
      () => fixtures.errorInvalidTimestamp!,
      () => fixtures.orderPlaceResult!,
    );
    await expect(place(api)).resolves.toMatchObject({ status: 'NEW' });
    expect(timeSyncs).toBe(syncsBefore + 1);
    expect(serverClock.offsetMs).toBeGreaterThan(4_000);
    expect(received).toHaveLength(2);
    expect(Number(received[1]!.params.timestamp) - Number(received[0]!.params.timestamp)).toBeGreaterThan(4_000);
  });

  it('documented rejections map to non-retryable errors', async () => {
    const { api } = await open();
    script.push(() => fixtures.errorInsufficientBalance!);
    expect(await failure(place(api))).toMatchObject({
      kind: 'non-retryable',
      code: VenueErrorCode.INSUFFICIENT_BALANCE,
      venueCode: -2010,
    });
    script.push(() => fixtures.errorInvalidSignature!);
    expect(await failure(place(api))).toMatchObject({ kind: 'fatal', code: VenueErrorCode.AUTH });
  });

  it('a swallowed answer to an order is an unknown outcome; the late answer is dropped and counted', async () => {
    const { api, metrics } = await open(300);
    let swallowedId = '';
    script.push((req) => {
      swallowedId = req.id;
      return 'swallow';
    });
    const err = await failure(place(api));
    expect(err).toMatchObject({ kind: 'unknown-outcome', code: VenueErrorCode.TIMEOUT });
    // The venue answers after all: nobody is waiting any more.
    const socket = [...server.clients][0]!;
    socket.send(JSON.stringify({ ...fixtures.orderPlaceResult, id: swallowedId }));
    await expect
      .poll(
        async () =>
          (await metrics.registry.getSingleMetric('bourse_venue_dropped_frames_total')?.get())?.values.find(
            (v) => v.labels.reason === 'late-response',
          )?.value,
      )
      .toBe(1);
  });

  it('a connection lost with requests in flight: orders become unknown outcomes, reads retryable', async () => {
    const { api } = await open();
    script.push(() => 'close');
    const err = await failure(place(api));
    expect(err).toMatchObject({ kind: 'unknown-outcome', code: VenueErrorCode.TIMEOUT });
    expect(err.message).toMatch(/connection lost/);
    await expect.poll(() => api.state).toBe('open');
    script.push(() => 'close');
    const read = await failure(
      api.request({
        method: 'order.status',
        params: { symbol: 'BTCUSDT', origClientOrderId: 'abc' },
        signed: true,
        weight: 4,
        mutating: false,
        schema: OrderResponse,
      }),
    );
    expect(read.kind).toBe('retryable');
  });

  it('refuses to send while not connected, as retryable NOT_CONNECTED (it never left)', async () => {
    const { api } = await open();
    await api.close();
    const err = await failure(place(api));
    expect(err).toMatchObject({ kind: 'retryable', code: VenueErrorCode.NOT_CONNECTED });
  });
});
