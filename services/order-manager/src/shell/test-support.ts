// Shared by this folder's *.test.ts files only: the real parts a shell test runs against — the
// exchange simulator in process on loopback, the Binance adapter pointed at it, NATS under a
// namespace of the file's own, and a PostgreSQL database of its own — and a collector of EXEC events.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import { ExecutionEvent, OrderRequest, Quote, TradingState, type Subjects, type TradingMode } from '@bourse/contracts';
import { startExchangeSim, type RunningExchangeSim } from '@bourse/exchange-sim';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { namespaceSchema } from '@bourse/store';
import { createLogger, createMetrics, type Logger, type Metrics } from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import { ORDER_MANAGER_LOCK_KEY, ORDER_MANAGER_MIGRATIONS } from '../store/index.js';
import type { BookDepthSource } from './book-depth.js';
import type { MarkSource } from './marks.js';
import { OrderManagerService } from './order-manager-service.js';
import type { ChaseSettings } from './tactic-runner.js';

export const logger = createLogger({
  service: 'order-manager-test',
  level: (process.env.OMS_TEST_LOG as 'debug' | undefined) ?? 'silent',
});
export const clock = { now: () => Date.now() };

export const CHASE: ChaseSettings = {
  replaceIntervalMs: 150,
  maxReplacements: 2,
  placement: 'join',
  maxSpreadBps: '50',
  replaceRate: { maxPerWindow: 10, windowMs: 1_000 },
  tickMs: 25,
};

export interface ServiceOptions {
  readonly bus?: Bus;
  readonly execRepublishMs?: number;
  /** The registry the service's metrics go to, for a test that reads them. */
  readonly metrics?: Metrics;
  /** The service's logger, for a test that reads its lines; silent by default. */
  readonly logger?: Logger;
  /** The far side of the book for the market fallback's guards. */
  readonly bookDepth?: BookDepthSource;
  /** The mids the unrealised P&L gauge marks positions at. */
  readonly marks?: MarkSource;
}

export interface Harness {
  readonly sim: RunningExchangeSim;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly subjects: Subjects;
  readonly bus: Bus;
  readonly kv: TypedKv<TradingState>;
  readonly db: TestDatabase;
  readonly exec: ExecutionEvent[];
  connectVenue(options?: { orderPath?: 'rest' | 'ws-api'; requestTimeoutMs?: number }): Promise<BinanceVenueClient>;
  /** An OMS on the harness's bus and database, or on `options.bus` (e.g. one whose EXEC stream is missing). */
  startService(venue: BinanceVenueClient, options?: ServiceOptions): Promise<OrderManagerService>;
  setMode(mode: TradingMode): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const apiKey = `k${randomBytes(12).toString('hex')}`;
  const apiSecret = randomBytes(24).toString('hex');
  const sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 7,
    symbols: ['BTCUSDT'],
    apiKeys: [{ apiKey, apiSecret }],
    balances: { USDT: '1000000', BTC: '10' },
    marketActivity: { enabled: false },
  });
  const subjects = testSubjects();
  const metrics = createMetrics({ service: 'order-manager-test' });
  const bus = await connectBus({
    service: 'order-manager',
    subjects,
    logger,
    registry: metrics.registry,
    streams: TEST_STREAMS,
  });
  await bus.ensureStreams();
  const kv = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  // The namespace's schema: an order manager process started on this harness keeps its tables there.
  const db = await createTestDatabase({
    schema: namespaceSchema(subjects.prefix),
    migrations: { directory: ORDER_MANAGER_MIGRATIONS, lockKey: ORDER_MANAGER_LOCK_KEY },
  });
  const exec: ExecutionEvent[] = [];
  const sub = bus.subscribe(subjects.exec.all(), { name: 'ExecutionEvent', schema: ExecutionEvent }, (e) => {
    exec.push(e);
  });
  const venues: BinanceVenueClient[] = [];
  const services: OrderManagerService[] = [];

  const harness: Harness = {
    sim,
    apiKey,
    apiSecret,
    subjects,
    bus,
    kv,
    db,
    exec,
    async connectVenue(options = {}) {
      const venue = await BinanceVenueClient.connect({
        options: {
          target: {
            name: 'sim',
            endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
          },
          orderPath: options.orderPath ?? 'rest',
          maxRetries: 0,
          requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
          unknownQueryAttempts: 2,
          unknownQueryDelayMs: 50,
          timeSyncIntervalMs: 0,
          reconnectBaseMs: 50,
          reconnectMaxMs: 200,
        },
        credentials: loadApiCredentials({
          target: 'sim',
          env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_API_SECRET: apiSecret },
        }),
        metrics: createBinanceMetrics(),
      });
      venues.push(venue);
      return venue;
    },
    async startService(venue, options = {}) {
      const service = new OrderManagerService({
        bus: options.bus ?? bus,
        pool: db.pool,
        venue,
        logger: options.logger ?? logger,
        metrics: options.metrics ?? createMetrics({ service: 'order-manager-test' }),
        clock,
        safeHorizonMs: 1_000,
        chase: CHASE,
        instanceTag: 'tst1',
        reconRetryMs: 200,
        reconTimeoutMs: 2_000,
        ...(options.execRepublishMs !== undefined ? { execRepublishMs: options.execRepublishMs } : {}),
        ...(options.bookDepth !== undefined ? { bookDepth: options.bookDepth } : {}),
        ...(options.marks !== undefined ? { marks: options.marks } : {}),
      });
      await service.start();
      services.push(service);
      return service;
    },
    async setMode(mode) {
      await kv.put('global', {
        v: 1,
        scope: { kind: 'global' },
        mode,
        reason: 'test',
        setBy: 'test',
        updatedAt: clock.now(),
      });
    },
    async close() {
      for (const s of services) await s.stop().catch(() => undefined);
      for (const v of venues) await v.close().catch(() => undefined);
      await sub.unsubscribe();
      await bus.drain();
      await removeTestNamespace(subjects);
      await sim.close();
      await db.drop();
    },
  };
  return harness;
}

let n = 0;
const run = randomBytes(2).toString('hex');

/** A valid order request with a fresh client order id. */
export function orderRequest(changes: Partial<Record<keyof OrderRequest, unknown>> = {}): OrderRequest {
  n += 1;
  return OrderRequest.parse({
    v: 1,
    clientOrderId: `t${run}-${n}`,
    intentId: `intent-${run}-${n}`,
    strategyId: 'momo',
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '0.01',
    style: 'limit',
    price: '30000',
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: clock.now(),
    ...changes,
  });
}

/** Resolves with `probe`'s first defined answer, polling in-memory state fed by real events; fails after the timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

// A bound on the process's start, not a wait: tsx compiles the service on start, which on a
// loaded 2-core machine was seen to take over 30 s.
const READY_BOUND_MS = 60_000;

export interface OmsProcess {
  readonly child: ChildProcess;
  /** Everything it logged so far (JSON lines), for a failure message. */
  output(): string;
  /** SIGKILL, as a crash: no shutdown step runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts the order manager as its own process (`node --import tsx src/main.ts`, as `bourse start`
 * runs it) on the harness's namespace, database and sim, and resolves once it logged that it is ready.
 */
export function startOmsProcess(h: Harness, env: Record<string, string> = {}): Promise<OmsProcess> {
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
      BINANCE_SIM_API_KEY: h.apiKey,
      BINANCE_SIM_API_SECRET: h.apiSecret,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: OmsProcess = {
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`order manager not ready after ${READY_BOUND_MS / 1_000} s:\n${output.slice(-2000)}`));
    }, READY_BOUND_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('"msg":"order manager ready"')) {
        clearTimeout(timer);
        resolve(handle);
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

/**
 * The order-manager processes of one test file, all started with the same extra environment:
 * `killAll` (in afterAll) leaves none running whatever a test did.
 */
export class OmsProcesses {
  private readonly running = new Set<OmsProcess>();

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(h: Harness): Promise<OmsProcess> {
    const oms = await startOmsProcess(h, this.env);
    this.running.add(oms);
    return oms;
  }

  /** SIGKILL, as a crash. */
  async kill(oms: OmsProcess): Promise<void> {
    await oms.kill();
    this.running.delete(oms);
  }

  async killAll(): Promise<void> {
    for (const oms of [...this.running]) await this.kill(oms);
  }
}

/** Publishes the touch of BTCUSDT every 30 ms, as the market-data gateway would; `set` moves it. */
export function startQuoteFeed(
  h: Harness,
  bid: string,
  ask: string,
): { set(bid: string, ask: string): void; stop(): void } {
  let touch = { bid, ask };
  const send = () =>
    h.bus.publish(
      h.subjects.md.quote('binance', 'BTCUSDT'),
      { name: 'Quote', schema: Quote },
      {
        v: 1,
        venue: 'binance',
        instrument: 'BTC/USDT',
        bidPrice: touch.bid,
        bidQty: '1',
        askPrice: touch.ask,
        askQty: '1',
        receivedAt: clock.now(),
      },
    );
  send();
  const timer = setInterval(send, 30);
  return {
    set: (b, a) => {
      touch = { bid: b, ask: a };
    },
    stop: () => clearInterval(timer),
  };
}
