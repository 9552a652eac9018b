import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrototypeClean, hostileTexts, NUMBERISH_STRINGS } from '@bourse/contracts/testing';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { createBinanceMetrics } from '../common/metrics.js';
import { AccountInfo, OrderResponse } from '../common/models.js';
import { InMemoryRateBudget } from '../common/rate-budget.js';
import { BinanceRateLimiter } from '../common/rate-limiter.js';
import { ServerClock } from '../common/server-clock.js';
import { BinanceRestClient } from './rest-client.js';

// A loopback HTTP server plays a hostile venue: documented answers mutated, broken JSON, deep or
// oversize bodies, error statuses and nonsense rate-limit headers. The client must answer each
// with a validated body or a VenueError, and count the outcome.

const responses = JSON.parse(
  readFileSync(new URL('../../test-data/rest-responses.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const headerValue = fc.oneof(
  fc.constantFrom(...NUMBERISH_STRINGS.filter((s) => s === s.trim() && s !== '' && !/[^\x20-\x7e]/.test(s))),
  fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', '-5', '999999999999999999999999999999999999999'),
);

const answer = (seeds: unknown[]): fc.Arbitrary<Answer> =>
  fc.record({
    status: fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 404, 418, 429, 500, 503),
    body: hostileTexts(seeds).filter((b) => b.length < 3 * 1024 * 1024),
    headers: fc.dictionary(
      fc.constantFrom('retry-after', 'x-mbx-used-weight-1m', 'x-mbx-order-count-10s'),
      headerValue,
      {
        maxKeys: 3,
      },
    ),
  });

let server: Server;
let url: string;
let next: Answer = { status: 200, body: '{}', headers: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client() {
  const clock = { now: () => Date.now() };
  const metrics = createBinanceMetrics();
  const limiter = new BinanceRateLimiter({ backend: new InMemoryRateBudget(clock), clock, maxWaitMs: 0 });
  const rest = new BinanceRestClient({
    restUrl: url,
    credentials: undefined,
    limiter,
    serverClock: new ServerClock(clock, async () => Date.now()),
    clock,
    recvWindowMs: 5_000,
    requestTimeoutMs: 2_000,
    maxRetries: 0,
    retryBaseMs: 1,
    retryMaxMs: 1,
    venue: 'binance',
    metrics,
    sleep: async () => {},
  });
  return { rest, metrics };
}

async function requestsCounted(metrics: ReturnType<typeof createBinanceMetrics>): Promise<number> {
  return (await metrics.requests.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe.each([
  ['an order placement', 'POST', '/api/v3/order', OrderResponse, responses['newOrderFull'], false],
  ['an account read', 'GET', '/api/v3/account', AccountInfo, responses['account'], true],
] as const)('REST answers to %s under hostile input', (_name, method, path, schema, seed, idempotent) => {
  it('are a validated body or a VenueError, and always counted', async () => {
    await fc.assert(
      fc.asyncProperty(answer([seed, responses['errorFilterFailure']]), async (a) => {
        next = a;
        const { rest, metrics } = client();
        let outcome: unknown;
        try {
          outcome = await rest.request({ method, path, security: 'NONE', weight: 1, idempotent, schema });
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(VenueError);
          // A 2xx body we cannot read says which field was wrong (or that it was not JSON at all).
          if (err instanceof VenueError && err.code === VenueErrorCode.MALFORMED_RESPONSE)
            expect(err.message).toMatch(/response is not JSON|unexpected response: [^:]+: /);
          outcome = undefined;
        }
        if (outcome !== undefined) {
          expect(a.status).toBeLessThan(300);
          expect(schema.safeParse(outcome).success).toBe(true);
        }
        expect(await requestsCounted(metrics)).toBe(1);
        assertPrototypeClean();
      }),
      { numRuns: 40 },
    );
  });
});
