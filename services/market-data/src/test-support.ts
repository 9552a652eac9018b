// Test support (not exported from the package): waiting for messages and conditions with a
// timeout, never with a sleep standing in for synchronisation; the simulator and adapter set-up.
import { randomBytes } from 'node:crypto';
import { createServer, connect as connectTcp, type AddressInfo, type Server, type Socket } from 'node:net';
import { startExchangeSim, type RunningExchangeSim } from '@bourse/exchange-sim';
import { BinanceVenueClient } from '@bourse/venue-binance';

/** Collects messages and resolves waits on the first one (already received or arriving) that matches. */
export class Inbox<T> {
  readonly items: T[] = [];
  readonly #waiters = new Set<{ pick: (t: T) => boolean; from: number; resolve: (t: T) => void }>();

  readonly push = (item: T): void => {
    this.items.push(item);
    for (const w of this.#waiters) {
      if (this.items.length - 1 >= w.from && w.pick(item)) {
        this.#waiters.delete(w);
        w.resolve(item);
      }
    }
  };

  /** Index to pass as `from` to only consider messages received after this moment. */
  get mark(): number {
    return this.items.length;
  }

  waitFor(pick: (t: T) => boolean, what: string, options: { from?: number; timeoutMs?: number } = {}): Promise<T> {
    const from = options.from ?? 0;
    const found = this.items.slice(from).find(pick);
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        pick,
        from,
        resolve: (t: T) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

/** Polls `check` until it returns a value (a bounded wait for a condition, not a timing assertion). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `50010.00000000` → `50010`, `0.50` → `0.5`: compare decimal strings as numbers without floats. */
export function canonicalDecimal(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** The exchange simulator on a free loopback port, quiet (no simulated activity), with a two-sided book on each symbol. */
export async function startQuietSim(): Promise<RunningExchangeSim> {
  const sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 11,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    apiKeys: [{ apiKey: `k${randomBytes(12).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') }],
    marketActivity: { enabled: false },
  });
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '1' });
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49990.00', quantity: '1' });
  sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3001.00', quantity: '1' });
  sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'BUY', price: '2999.00', quantity: '1' });
  return sim;
}

/** The real Binance adapter pointed at the sim, without keys (market data needs none), reconnecting fast. */
export function connectAdapter(sim: RunningExchangeSim): Promise<BinanceVenueClient> {
  return BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
      },
      orderPath: 'rest',
      requestTimeoutMs: 2_000,
      reconnectBaseMs: 50,
      reconnectMaxMs: 500,
      timeSyncIntervalMs: 0,
    },
  });
}

/** A loopback TCP proxy in front of NATS: `cut()` drops every connection, `pause()` refuses new ones until `resume()`. */
export class NatsProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #paused = false;

  constructor(target: URL) {
    this.#server = createServer((client) => {
      if (this.#paused) {
        client.destroy();
        return;
      }
      const upstream = connectTcp(Number(target.port || 4222), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }

  listen(): Promise<string> {
    return new Promise((resolve) => {
      this.#server.listen(0, '127.0.0.1', () => {
        resolve(`nats://127.0.0.1:${(this.#server.address() as AddressInfo).port}`);
      });
    });
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
