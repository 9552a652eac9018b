// Shared by the runner's integration tests: a namespace of their own on the real NATS, runners wired
// like main.ts does, and helpers that wait for events (never sleep). `startPaperRunner` is for the
// system tests under test/ (a paper run fed by `bourse replay`), which run the service in-process.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import {
  Intent,
  ReconciliationReport,
  TradingState,
  type ReconciliationVerdict,
  type Subjects,
  type TradingMode,
} from '@bourse/contracts';
import type { InstrumentSpec } from '@bourse/domain';
import { createLogger } from '@bourse/telemetry';
import { captureLogs, type LogCapture } from '@bourse/telemetry/testing';
import {
  parseStrategies,
  type StrategyConfig,
  type StrategyDefinition,
  type StrategyStateStore,
} from '@bourse/strategy';
import { loadStrategies } from '@bourse/strategy/loader';
import type { Queryable } from '@bourse/store';
import { checkStrategyCode, reportStrategyCode } from './state/code-versions.js';
import { loadStrategiesFile, reportRefused } from './strategies-config.js';
import { openKvLeaseStore } from './leases/kv-lease-store.js';
import { leaseBucketName } from './leases/lease-store.js';
import type { KlineSource } from './klines-history.js';
import type { QuoteSnapshots } from './market-snapshots.js';
import { StrategyRunner, type RunnerEvent } from './runner.js';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Harness {
  readonly subjects: Subjects;
  readonly bus: Bus;
  readonly nc: NatsConnection;
  readonly tradingState: TypedKv<TradingState>;
  setMode(mode: TradingMode, scope?: TradingState['scope']): Promise<void>;
  /** Publishes a reconciliation report of venue `binance` on the RECON stream, as the reconciler does. */
  publishRecon(verdict: ReconciliationVerdict, finishedAt?: number): Promise<ReconciliationReport>;
  /** The intent stored at `seq` in the namespace's INTENTS stream, decoded. */
  intentAt(seq: number): Promise<Intent>;
  /** How many messages the INTENTS stream holds. */
  intentCount(): Promise<number>;
  close(): Promise<void>;
}

const ReconContract = { name: 'ReconciliationReport', schema: ReconciliationReport };

export function reconReport(verdict: ReconciliationVerdict, finishedAt = Date.now()): ReconciliationReport {
  return ReconciliationReport.parse({
    v: 1,
    runId: `recon-${randomUUID()}`,
    venue: 'binance',
    trigger: 'start',
    startedAt: finishedAt - 10,
    finishedAt,
    counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
    differences: { orders: [], fills: [], balances: [], positions: [] },
    missedFillsRecovered: [],
    unknownOpenOrders: [],
    drift: { value: verdict === 'ok' ? '0' : '25', tolerance: '10', asset: 'USDT' },
    verdict,
  });
}

/**
 * A namespace of its own on the real NATS. `reconciled` (default true): an `ok` reconciliation
 * report is on the RECON stream from the start, so safe start waits for the trading state only.
 */
export async function startHarness(options: { reconciled?: boolean } = {}): Promise<Harness> {
  const subjects = testSubjects();
  const logger = createLogger({ service: 'strategy-runner-test', level: 'silent' });
  const bus = await connectBus({
    service: 'strategy-runner',
    subjects,
    logger,
    registry: new Registry(),
    servers: NATS_URL,
    streams: TEST_STREAMS,
  });
  await bus.ensureStreams();
  const nc = await connect({ servers: NATS_URL });
  const tradingState = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  const jsm = await jetstreamManager(nc);
  const publishRecon = async (verdict: ReconciliationVerdict, finishedAt?: number) => {
    const report = reconReport(verdict, finishedAt);
    await bus.publishDurable(subjects.reconReport(), ReconContract, report, { msgId: report.runId });
    return report;
  };
  if (options.reconciled ?? true) await publishRecon('ok');
  return {
    subjects,
    bus,
    nc,
    tradingState,
    publishRecon,
    async setMode(mode, scope = { kind: 'global' }) {
      const key =
        scope.kind === 'global'
          ? 'global'
          : scope.kind === 'instrument'
            ? `instrument.${scope.symbol}`
            : `strategy.${scope.strategyId}`;
      await tradingState.put(key, {
        v: 1,
        scope,
        mode,
        reason: `test sets ${mode}`,
        setBy: 'test',
        updatedAt: Date.now(),
      });
    },
    async intentAt(seq) {
      const m = await jsm.streams.getMessage(subjects.streams.INTENTS, { seq });
      if (m === null) throw new Error(`no message at INTENTS seq ${seq}`);
      return Intent.parse(m.json());
    },
    async intentCount() {
      return (await jsm.streams.info(subjects.streams.INTENTS)).state.messages;
    },
    async close() {
      await bus.drain();
      try {
        await jsm.streams.delete(`KV_${leaseBucketName(subjects)}`);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      }
      await nc.close();
      await removeTestNamespace(subjects, NATS_URL);
    },
  };
}

export interface TestRunner {
  readonly runner: StrategyRunner;
  readonly logs: LogCapture;
  readonly events: RunnerEvent[];
  /** The runner's metrics. */
  readonly registry: Registry;
  /** Resolves with the first event (already seen or coming) that matches, or rejects after `timeoutMs`. */
  waitFor<E extends RunnerEvent>(match: (e: RunnerEvent) => e is E, timeoutMs?: number, what?: string): Promise<E>;
  waitFor(match: (e: RunnerEvent) => boolean, timeoutMs?: number, what?: string): Promise<RunnerEvent>;
}

export interface RunnerSetup {
  /** The strategies as YAML text (built-ins and `definitions`), or: */
  readonly strategiesYaml?: string;
  /** A strategies file on disk, loaded as main.ts loads it (modules too; refused entries logged and counted). */
  readonly strategiesFile?: string;
  readonly definitions?: Record<string, StrategyDefinition>;
  readonly replicaId?: string;
  readonly leaseTtlMs?: number;
  readonly leaseRenewMs?: number;
  readonly leaseMarginMs?: number;
  readonly staleAfterMs?: number;
  readonly snapshots?: QuoteSnapshots;
  readonly klines?: KlineSource;
  /** The core's clock (default the wall clock). */
  readonly clock?: { now(): number };
  /** Where strategies' states are kept (default none: fresh states, nothing written). */
  readonly stateStore?: StrategyStateStore;
  /** The metrics registry (default a fresh one). */
  readonly registry?: Registry;
  /**
   * Check the strategies' code hashes against PostgreSQL as start.ts does (migrated with
   * migrateRunnerStore): refused strategies are left out, logged and counted. Absent: no check.
   */
  readonly codeStore?: { readonly db: Queryable; readonly allowChanged?: boolean };
}

export async function makeRunner(h: Harness, setup: RunnerSetup): Promise<TestRunner> {
  const logs = captureLogs();
  const logger = createLogger({ service: 'strategy-runner', level: 'info', destination: logs.destination });
  const ttl = setup.leaseTtlMs ?? 1_500;
  const leaseStore = await openKvLeaseStore({ nc: h.nc, bucket: leaseBucketName(h.subjects), ttlMs: ttl });
  const registry = setup.registry ?? new Registry();
  let strategies: StrategyConfig[];
  if (setup.strategiesFile !== undefined) {
    const loaded = await loadStrategiesFile(setup.strategiesFile);
    reportRefused(loaded.refused, logger, registry);
    strategies = loaded.strategies;
  } else {
    strategies = parseStrategies(setup.strategiesYaml ?? 'strategies: []', 'test', {
      definitions: setup.definitions ?? {},
    });
  }
  if (setup.codeStore !== undefined) {
    const check = await checkStrategyCode(setup.codeStore.db, strategies, {
      allowChanged: setup.codeStore.allowChanged ?? false,
    });
    reportStrategyCode(check, strategies, logger, registry);
    strategies = check.admitted;
  }
  const runner = new StrategyRunner({
    bus: h.bus,
    nc: h.nc,
    leaseStore,
    strategies,
    replicaId: setup.replicaId ?? `r-${randomUUID().slice(0, 8)}`,
    session: randomUUID(),
    leaseRenewMs: setup.leaseRenewMs ?? 250,
    leaseMarginMs: setup.leaseMarginMs ?? 400,
    staleAfterMs: setup.staleAfterMs ?? 60_000,
    logger,
    registry,
    ids: { next: () => `i-${randomUUID()}` },
    clock: setup.clock ?? { now: () => Date.now() },
    monotonic: { now: () => performance.now() },
    ...(setup.snapshots !== undefined ? { snapshots: setup.snapshots } : {}),
    ...(setup.klines !== undefined ? { klines: setup.klines } : {}),
    ...(setup.stateStore !== undefined ? { stateStore: setup.stateStore } : {}),
  });
  const events: RunnerEvent[] = [];
  const waiters = new Set<(e: RunnerEvent) => void>();
  runner.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) w(e);
  });
  const waitFor = (match: (e: RunnerEvent) => boolean, timeoutMs = 10_000, what = 'runner event') =>
    new Promise<RunnerEvent>((resolve, reject) => {
      const seen = events.find(match);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (e: RunnerEvent) => {
        if (!match(e)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(e);
      };
      waiters.add(check);
    });
  return { runner, logs, events, registry, waitFor: waitFor as TestRunner['waitFor'] };
}

/** Resolves once `condition()` holds, re-checked on each runner event; rejects after `timeoutMs`. */
export function until(
  runners: readonly TestRunner[],
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const offs: Array<() => void> = [];
    const done = (err?: Error) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    for (const r of runners) offs.push(r.runner.onEvent(() => (condition() ? done() : undefined)));
  });
}

/** A 1s-aligned time in the past, so synthetic bars never collide with the wall clock's window. */
export function barBase(): number {
  return Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
}

export function trade(venueSymbolInstrument: string, price: string, venueTime: number, n: number) {
  return {
    v: 1 as const,
    venue: 'binance',
    instrument: venueSymbolInstrument,
    venueTradeId: String(n),
    price,
    qty: '1',
    aggressor: 'BUY' as const,
    venueTime,
    receivedAt: Date.now(),
  };
}

export function quote(instrument: string, bid: string, ask: string) {
  return {
    v: 1 as const,
    venue: 'binance',
    instrument,
    bidPrice: bid,
    bidQty: '1',
    askPrice: ask,
    askQty: '1',
    receivedAt: Date.now(),
  };
}

export interface PaperRunner {
  readonly runner: StrategyRunner;
  readonly events: RunnerEvent[];
  waitFor(match: (e: RunnerEvent) => boolean, timeoutMs: number, what: string): Promise<RunnerEvent>;
  /** Stops the runner and deletes the namespace's lease bucket (its namespace is closed by its owner). */
  stop(): Promise<void>;
}

/**
 * A StrategyRunner on a namespace someone else opened (its trading state and reconciliation set by
 * them), on `clock`, running `strategiesYaml`; resolves once it holds its first instrument.
 * `instruments`: the specs `ctx.instrument` answers with.
 */
export async function startPaperRunner(
  ns: { readonly subjects: Subjects; readonly bus: Bus; readonly nc: NatsConnection },
  strategiesYaml: string,
  clock: { now(): number },
  instruments: readonly InstrumentSpec[] = [],
): Promise<PaperRunner> {
  const bucket = leaseBucketName(ns.subjects);
  const leaseStore = await openKvLeaseStore({ nc: ns.nc, bucket, ttlMs: 5_000 });
  // Through the strategy loader, as the service loads its file: built-ins, and `module:` entries relative
  // to the working directory; a refused entry fails the test's setup.
  const loaded = await loadStrategies(strategiesYaml, 'test', { baseDir: process.cwd() });
  if (loaded.refused.length > 0) throw new Error(loaded.refused.map((r) => r.error.message).join('; '));
  const runner = new StrategyRunner({
    bus: ns.bus,
    nc: ns.nc,
    leaseStore,
    strategies: loaded.strategies,
    replicaId: `r-${randomUUID().slice(0, 8)}`,
    session: randomUUID(),
    leaseRenewMs: 1_000,
    leaseMarginMs: 1_000,
    staleAfterMs: 60_000,
    logger: createLogger({ service: 'strategy-runner', level: 'silent' }),
    registry: new Registry(),
    ids: { next: () => `i-${randomUUID()}` },
    clock,
    monotonic: { now: () => performance.now() },
    instrumentSpec: (venue, symbol) => instruments.find((i) => i.venue === venue && i.symbol === symbol),
  });
  const events: RunnerEvent[] = [];
  const waiters = new Set<(e: RunnerEvent) => void>();
  runner.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) w(e);
  });
  const waitFor = (match: (e: RunnerEvent) => boolean, timeoutMs: number, what: string) =>
    new Promise<RunnerEvent>((resolve, reject) => {
      const seen = events.find(match);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (e: RunnerEvent) => {
        if (!match(e)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(e);
      };
      waiters.add(check);
    });
  await runner.start();
  await waitFor((e) => e.type === 'acquired', 15_000, 'the runner to acquire an instrument');
  return {
    runner,
    events,
    waitFor,
    async stop() {
      await runner.stop();
      const jsm = await jetstreamManager(ns.nc);
      try {
        await jsm.streams.delete(`KV_${bucket}`);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      }
    },
  };
}
