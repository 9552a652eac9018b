import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForReadyz } from './readiness.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** An ops server whose /readyz answers 503 until `ready()` is called. */
async function opsServer(): Promise<{ url: string; ready: () => void; probes: () => number }> {
  let isReady = false;
  let probes = 0;
  server = createServer((req, res) => {
    if (req.url === '/readyz') probes += 1;
    res.writeHead(req.url === '/readyz' && isReady ? 200 : 503).end(isReady ? 'ok' : 'restoring orders');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, ready: () => (isReady = true), probes: () => probes };
}

describe('waitForReadyz', () => {
  it('resolves ready once /readyz turns 200, not before', async () => {
    const ops = await opsServer();
    const controller = new AbortController();
    const waiting = waitForReadyz({ opsUrl: ops.url, timeoutMs: 10_000, intervalMs: 20, signal: controller.signal });
    // Let it see a few 503s first; the flip happens only after the waiter has probed twice.
    await expect.poll(() => ops.probes(), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    ops.ready();
    const outcome = await waiting;
    expect(outcome.ready).toBe(true);
  });

  it('times out with the last answer when the service never becomes ready', async () => {
    const ops = await opsServer();
    const outcome = await waitForReadyz({
      opsUrl: ops.url,
      timeoutMs: 100,
      intervalMs: 20,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ ready: false, reason: 'timeout', lastAnswer: 'HTTP 503: restoring orders' });
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await waitForReadyz({ opsUrl: 'http://127.0.0.1:9', timeoutMs: 60_000, signal: controller.signal });
    expect(outcome.ready).toBe(false);
    expect(outcome.ready === false && outcome.reason).toBe('aborted');
  });
});
