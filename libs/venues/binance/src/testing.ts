// The `./testing` entry (`@bourse/venue-binance/testing`): an exchange simulator on a free loopback
// port and an adapter pointed at it, for this package's *.sim.test.ts files and other packages'
// tests. Test code only: it starts the simulator service in-process, which production code never
// does, so the main entry (src/index.ts) must not import this file (entry-imports.test.ts checks).
import { randomBytes } from 'node:crypto';
import { startExchangeSim, type ExchangeSimOptions, type FaultSpecInput } from '@bourse/exchange-sim';
import { BinanceVenueClient } from './binance-venue.js';
import type { BinanceOptionsInput } from './common/config.js';
import { loadApiCredentials } from './common/credentials.js';
import { createBinanceMetrics } from './common/metrics.js';
import type { RateBudgetBackend } from './common/rate-budget.js';

export type RunningSim = Awaited<ReturnType<typeof startExchangeSim>>;

export async function startSim(options: Partial<ExchangeSimOptions> & { faults?: FaultSpecInput } = {}): Promise<{
  sim: RunningSim;
  apiKey: string;
  apiSecret: string;
}> {
  const apiKey = `k${randomBytes(12).toString('hex')}`;
  const apiSecret = randomBytes(24).toString('hex');
  const sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 7,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    apiKeys: [{ apiKey, apiSecret }],
    balances: { USDT: '100000', BTC: '5', ETH: '50' },
    marketActivity: { enabled: false },
    ...options,
  });
  return { sim, apiKey, apiSecret };
}

export async function connectClient(
  sim: RunningSim,
  apiKey: string,
  apiSecret: string,
  options: Partial<BinanceOptionsInput> = {},
  rateBudget?: RateBudgetBackend,
): Promise<BinanceVenueClient> {
  const credentials = loadApiCredentials({
    target: 'sim',
    env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_API_SECRET: apiSecret },
  });
  return BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
      },
      requestTimeoutMs: 2_000,
      reconnectBaseMs: 50,
      reconnectMaxMs: 500,
      retryBaseMs: 20,
      retryMaxMs: 200,
      unknownQueryDelayMs: 50,
      timeSyncIntervalMs: 0,
      ...options,
    },
    credentials,
    metrics: createBinanceMetrics(),
    ...(rateBudget !== undefined ? { rateBudget } : {}),
  });
}

/** Resolves with the first value `pick` returns for an event, or rejects after `timeoutMs`. */
export function waitFor<E, T>(
  subscribe: (listener: (e: E) => void) => () => void,
  pick: (e: E) => T | undefined,
  timeoutMs = 10_000,
  what = 'event',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe((e) => {
      const value = pick(e);
      if (value === undefined) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Polls `check` until it returns a value (not a timing assertion: a bounded wait for a condition). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
