// kill -9 of the order manager process between the outbox commit and the venue's answer, then a
// restart: exactly one order at the venue. The OMS runs as its own process (`node --import tsx
// src/main.ts`, as `bourse start` runs it); the sim swallows the WS-API answer to the accepted order
// so the process is waiting on it, with the entry `submitting` in Postgres, when it is killed.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRequest } from '@bourse/contracts';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import { loadOrder, loadOutbox } from '../store/index.js';
import { orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

let h: Harness;
let venue: BinanceVenueClient;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  venue = await h.connectVenue();
}, 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await h?.close();
}, 30_000);

/** Starts the OMS process and resolves once it logged that it is ready. */
function startOms(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      DATABASE_URL: h.db.url,
      BOURSE_NAMESPACE: h.subjects.prefix,
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      OMS_SIM_REST_URL: h.sim.restUrl,
      OMS_SIM_WS_STREAM_URL: h.sim.wsStreamUrl,
      OMS_SIM_WS_API_URL: h.sim.wsApiUrl,
      OMS_ORDER_PATH: 'ws-api',
      // Long enough that the swallowed answer keeps the process waiting until it is killed.
      OMS_VENUE_REQUEST_TIMEOUT_MS: '30000',
      BINANCE_SIM_API_KEY: h.apiKey,
      BINANCE_SIM_API_SECRET: h.apiSecret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`order manager not ready after 30 s:\n${output.slice(-2000)}`)),
      30_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('"msg":"order manager ready"')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`order manager exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('kill -9 between the outbox commit and the venue answer', () => {
  it('leaves exactly one order at the venue after a restart, learnt by query', async () => {
    const first = await startOms();
    const req = orderRequest({ strategyId: 'crash', price: '25000' });
    h.sim.setFaults({ dropResponses: 1 });
    await h.bus.publishDurable(
      h.subjects.orderRequest('BTCUSDT'),
      { name: 'OrderRequest', schema: OrderRequest },
      req,
      {
        msgId: req.clientOrderId,
      },
    );
    await waitFor(
      'the order at the venue with the entry still submitting',
      async () => {
        const entry = await loadOutbox(h.db.pool, req.clientOrderId);
        const atVenue = await venue.queryOrder({ symbol: req.instrument, clientOrderId: req.clientOrderId });
        return entry?.state === 'submitting' && atVenue !== undefined ? true : undefined;
      },
      20_000,
    );
    await killed(first);
    h.sim.setFaults({ dropResponses: 0 });

    const second = await startOms();
    try {
      const entry = await waitFor(
        'the entry to be resolved by query',
        async () => {
          const e = await loadOutbox(h.db.pool, req.clientOrderId);
          return e?.state === 'resolved' ? e : undefined;
        },
        20_000,
      );
      expect(entry.attempts).toBe(1);
      await waitFor('the order in Postgres', async () =>
        (await loadOrder(h.db.pool, req.clientOrderId))?.status === 'new' ? true : undefined,
      );
      const open = await venue.openOrders(req.instrument);
      expect(open.filter((o) => o.clientOrderId === req.clientOrderId)).toHaveLength(1);
      expect(open.filter((o) => o.price === '25000.00000000' || o.price === '25000')).toHaveLength(1);
    } finally {
      await killed(second);
    }
  }, 90_000);
});
