// The chaos run (issue 19, part 1): the paper-trading platform as real processes against private
// NATS, PostgreSQL and Redis, under a storm of faults drawn from a seed; then the faults stop, a
// reconciliation runs, the run waits for ACTIVE and counts what was duplicated, lost or late, and
// where PostgreSQL's books differ from the simulator's.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { dec } from '@bourse/domain';
import { createPool } from '@bourse/store';
import { createSubjects, tradingStateKey } from '@bourse/contracts';
import {
  loadPlatformConfig,
  launchPlan,
  type LaunchPlan,
  type OpsService,
  PLATFORM_SERVICES,
  waitForReadyz,
} from '@bourse/cli';
import { freePorts, ROOT, RunningProcess } from '../support/platform.js';
import {
  computeFigures,
  figuresLine,
  type DecisionFact,
  type Facts,
  type Figures,
  type IntentFact,
  type SkewWindow,
} from './figures.js';
import { faultSchedule, type FaultKind, type ScheduledFault } from './schedule.js';
import { PrivateServers } from './servers.js';

const CLI_MAIN = join(ROOT, 'services/cli/src/main.ts');
const SYMBOLS = { BTCUSDT: 'BTC/USDT', ETHUSDT: 'ETH/USDT' } as const;
const INVENTORY = { USDT: '100000', BTC: '1', ETH: '10' } as const;

/** The sim's counters of the faults it injected, from its /metrics. */
async function injectedCounts(restUrl: string): Promise<string[]> {
  const text = await (await fetch(`${restUrl}/metrics`)).text();
  return text.split('\n').filter((line) => /fault/.test(line) && !line.startsWith('#'));
}

export type ChaosProcess =
  | 'exchange-sim'
  | 'order-manager'
  | 'reconciler'
  | 'risk-gate'
  | 'market-data'
  | 'strategy-runner-1'
  | 'strategy-runner-2';
const START_ORDER: readonly ChaosProcess[] = [
  'exchange-sim',
  'order-manager',
  'reconciler',
  'risk-gate',
  'market-data',
  'strategy-runner-1',
  'strategy-runner-2',
];

export interface ChaosOptions {
  readonly seed: number;
  /** Faults in the schedule (at least one of each kind). */
  readonly faults: number;
  /** Length of the storm. */
  readonly stormMs: number;
  /** Where the JSON report goes. */
  readonly reportFile: string;
  /** Fault kinds left out of the schedule. */
  readonly without?: readonly FaultKind[];
  readonly log?: (line: string) => void;
}

export interface FaultRecord extends ScheduledFault {
  /** Wall-clock time it was injected (ISO). */
  startedAt?: string;
  endedAt?: string;
  /** What happened: consumed, no order in flight, restart failed… */
  notes: string[];
}

export interface ChaosResult {
  readonly line: string;
  readonly figures: Figures;
  readonly finalMode: string | undefined;
  readonly haltedS: number;
  readonly ok: boolean;
  readonly reportFile: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/false, or undefined after `timeoutMs`. */
async function poll<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch {
      // A server mid-restart: ask again.
    }
    if (performance.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
}

/** The chaos strategies: crossovers on 1-second bars (market orders) and market makers (limit-maker quotes, cancelled after their TTL). */
function strategies(): unknown[] {
  const sma = (id: string, instrument: string, qty: string) => ({
    name: 'sma-cross',
    id,
    version: '1.0.0',
    venue: 'binance',
    instruments: [instrument],
    params: { fast: 2, slow: 5, timeframe: '1s', sizing: { kind: 'qty', qty } },
  });
  const mm = (id: string, instrument: string, qty: string) => ({
    name: 'market-maker',
    id,
    version: '1.0.0',
    venue: 'binance',
    instruments: [instrument],
    params: {
      spreadBps: 8,
      qty,
      maxInventory: String(Number(qty) * 4),
      requoteBps: 3,
      quoteTtlMs: 3_000,
      throttleMs: 500,
    },
  });
  return [
    sma('sma-btc', 'BTC/USDT', '0.01'),
    sma('sma-eth', 'ETH/USDT', '0.2'),
    mm('mm-btc', 'BTC/USDT', '0.005'),
    mm('mm-eth', 'ETH/USDT', '0.1'),
  ];
}

class ChaosPlatform {
  readonly processes = new Map<ChaosProcess, RunningProcess>();
  /** Restarts in progress, so a second kill of one process waits for the first restart. */
  readonly pending = new Map<string, Promise<void>>();

  constructor(
    readonly servers: PrivateServers,
    readonly stateDir: string,
    readonly configFile: string,
    readonly plan: LaunchPlan,
    readonly runner2Ops: number,
    readonly credentials: { apiKey: string; apiSecret: string },
    readonly log: (line: string) => void,
    /** Every process's whole output goes to `<logDir>/<process>.log` (the report keeps only tails). */
    readonly logDir: string,
  ) {}

  static async create(servers: PrivateServers, log: (line: string) => void, logDir: string): Promise<ChaosPlatform> {
    const stateDir = mkdtempSync(join(tmpdir(), 'bourse-chaos-'));
    const [simPort, runner2Ops, ...opsPorts] = (await freePorts(7)) as number[];
    const raw = parseYaml(readFileSync(join(ROOT, 'config/bourse.yaml'), 'utf8')) as Record<string, unknown>;
    const config = raw as {
      servers: Record<string, string>;
      sim: Record<string, unknown> & { activity: Record<string, unknown> };
      ops: { ports: Record<string, number> };
      strategies: Record<string, unknown>;
      reconciler: Record<string, unknown>;
      risk: { limits: { defaults: Record<string, unknown> } };
    };
    config.servers = { nats: servers.natsUrl, postgres: servers.postgresUrl, redis: servers.redisUrl };
    config.sim.port = simPort;
    config.sim.persist = false;
    config.sim.balances = { ...INVENTORY };
    // A livelier market, so crossovers come every few seconds and quotes get hit.
    Object.assign(config.sim.activity, { volatility: 0.002 });
    const services: OpsService[] = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'];
    services.forEach((service, i) => (config.ops.ports[service] = opsPorts[i] as number));
    config.strategies = { list: strategies() };
    config.reconciler.intervalMs = 15_000;
    Object.assign(config.risk.limits.defaults, { maxPosition: '2', maxAggregatePosition: '4' });
    const configFile = join(stateDir, 'bourse.yaml');
    writeFileSync(configFile, toYaml(raw));
    const loaded = loadPlatformConfig({ root: ROOT, file: configFile, env: {} });
    const plan = launchPlan(loaded.config, stateDir);
    for (const file of plan.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
    }
    const credentials = { apiKey: `k${randomBytes(12).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') };
    rmSync(logDir, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    return new ChaosPlatform(servers, stateDir, configFile, plan, runner2Ops as number, credentials, log, logDir);
  }

  private env(name: ChaosProcess): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      BOURSE_SIM_API_KEY: this.credentials.apiKey,
      BOURSE_SIM_API_SECRET: this.credentials.apiSecret,
      BINANCE_SIM_API_KEY: this.credentials.apiKey,
      BINANCE_SIM_API_SECRET: this.credentials.apiSecret,
    };
    if (name === 'exchange-sim') return base;
    if (name === 'strategy-runner-1')
      return { ...base, ...this.plan.serviceEnv['strategy-runner'], REPLICA_ID: 'runner-1' };
    if (name === 'strategy-runner-2')
      return {
        ...base,
        ...this.plan.serviceEnv['strategy-runner'],
        REPLICA_ID: 'runner-2',
        OPS_PORT: String(this.runner2Ops),
      };
    return { ...base, ...this.plan.serviceEnv[name] };
  }

  private opsUrl(name: ChaosProcess): string {
    if (name === 'strategy-runner-1') return this.plan.opsUrls['strategy-runner'];
    if (name === 'strategy-runner-2') return `http://127.0.0.1:${this.runner2Ops}`;
    return this.plan.opsUrls[name as OpsService];
  }

  /** Starts a process the way `bourse start` does and resolves once it is ready. */
  async start(name: ChaosProcess, readyTimeoutMs = 90_000): Promise<void> {
    const service = name.startsWith('strategy-runner') ? 'strategy-runner' : name;
    const spec = PLATFORM_SERVICES.find((s) => s.name === service);
    if (spec === undefined) throw new Error(`unknown service ${service}`);
    const args = name === 'exchange-sim' ? [...(this.plan.simArgs ?? [])] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, spec.entry), ...args], {
      cwd: ROOT,
      env: this.env(name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new RunningProcess(name, child);
    const file = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    proc.onLine((line) => file.write(`${line}\n`));
    child.once('exit', () => file.end());
    this.processes.set(name, proc);
    if (name === 'exchange-sim') {
      await proc.waitForLine(/^exchange-sim: ready$/, readyTimeoutMs);
      return;
    }
    const exited = new AbortController();
    child.once('exit', () => exited.abort());
    const outcome = await waitForReadyz({
      opsUrl: this.opsUrl(name),
      timeoutMs: readyTimeoutMs,
      signal: exited.signal,
    });
    if (!outcome.ready)
      throw new Error(`${name} not ready (${outcome.reason}: ${outcome.lastAnswer}):\n${proc.tail(15)}`);
  }

  isRunning(name: ChaosProcess): boolean {
    return this.processes.get(name)?.running ?? false;
  }

  async stop(name: ChaosProcess, signal: NodeJS.Signals): Promise<void> {
    await this.processes.get(name)?.stop(signal);
  }

  /** Runs `task` after whatever is pending on `key` (a process or a server). */
  chain(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.pending.get(key) ?? Promise.resolve()).then(task);
    const settled = next.catch(() => undefined);
    this.pending.set(key, settled);
    return next;
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) {
      const all = [...this.pending.entries()];
      await Promise.all(all.map(([, p]) => p));
      for (const [key, p] of all) if (this.pending.get(key) === p) this.pending.delete(key);
    }
  }

  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.plan.endpoints.restUrl}/admin/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  /** A signed GET on the venue's REST API with the platform's own key (the sim's view of the account). */
  async signed<T>(path: string, params: Record<string, string | number>): Promise<T> {
    const query = new URLSearchParams(
      Object.entries({ ...params, recvWindow: 60_000, timestamp: Date.now() }).map(([k, v]): [string, string] => [
        k,
        String(v),
      ]),
    ).toString();
    const signature = createHmac('sha256', this.credentials.apiSecret).update(query).digest('hex');
    const res = await fetch(`${this.plan.endpoints.restUrl}${path}?${query}&signature=${signature}`, {
      headers: { 'X-MBX-APIKEY': this.credentials.apiKey },
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  bourse(args: readonly string[]): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        BOURSE_CONFIG: this.configFile,
        USER: 'chaos',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
  }

  async close(): Promise<void> {
    for (const name of [...START_ORDER].reverse()) await this.stop(name, 'SIGTERM');
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Everything published on the intent and risk-decision subjects, heard live (a crash of nats-server cannot take back what was delivered). */
class BusWitness {
  readonly intents = new Map<string, IntentFact>();
  /** By intent, outcome and order id: the live subscription and the stream read see the same decision. */
  private readonly decisionsByKey = new Map<string, DecisionFact>();

  get decisions(): DecisionFact[] {
    return [...this.decisionsByKey.values()];
  }
  private readonly subs: Subscription[] = [];

  private constructor(private readonly nc: NatsConnection) {}

  static async open(url: string): Promise<BusWitness> {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200, name: 'chaos-witness' });
    const witness = new BusWitness(nc);
    const subjects = createSubjects('');
    witness.follow(subjects.intentsAll(), (m) => witness.intent(m));
    witness.follow(subjects.streamSubjects.RISK[0] as string, (m) => witness.decision(m));
    await nc.flush();
    return witness;
  }

  private follow(subject: string, handle: (message: Record<string, unknown>) => void): void {
    const sub = this.nc.subscribe(subject);
    this.subs.push(sub);
    void (async () => {
      for await (const m of sub) {
        try {
          handle(m.json<Record<string, unknown>>());
        } catch {
          // Not a JSON message: not ours to count.
        }
      }
    })();
  }

  intent(m: Record<string, unknown>): void {
    if (typeof m['id'] !== 'string') return;
    this.intents.set(m['id'], {
      id: m['id'],
      strategyId: String(m['strategyId']),
      createdAt: Number(m['createdAt']),
      expiresAt: typeof m['expiresAt'] === 'number' ? m['expiresAt'] : undefined,
    });
  }

  decision(m: Record<string, unknown>): void {
    if (typeof m['intentId'] !== 'string' || (m['outcome'] !== 'accepted' && m['outcome'] !== 'rejected')) return;
    const failures = Array.isArray(m['failures']) ? (m['failures'] as { rule?: unknown }[]) : [];
    const clientOrderId = typeof m['clientOrderId'] === 'string' ? m['clientOrderId'] : undefined;
    this.decisionsByKey.set(`${m['intentId']}|${m['outcome']}|${clientOrderId ?? ''}|${String(m['decidedAt'])}`, {
      intentId: m['intentId'],
      outcome: m['outcome'],
      clientOrderId,
      rules: failures.map((f) => String(f.rule)),
    });
  }

  /** Adds what the INTENTS and RISK streams still hold (anything the live subscription missed while reconnecting). */
  async readStreams(): Promise<void> {
    const subjects = createSubjects('');
    const js = jetstream(this.nc);
    const jsm = await jetstreamManager(this.nc);
    for (const [stream, handle] of [
      [subjects.streams.INTENTS, (m: Record<string, unknown>) => this.intent(m)],
      [subjects.streams.RISK, (m: Record<string, unknown>) => this.decision(m)],
    ] as const) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      if (info === undefined || info.state.messages === 0) continue;
      const consumer = await js.consumers.get(stream);
      const messages = await consumer.consume();
      for await (const m of messages) {
        try {
          handle(m.json<Record<string, unknown>>());
        } catch {
          // Not JSON: skip.
        }
        if (m.info.pending === 0) break;
      }
      await messages.close();
    }
  }

  /** Global trading state from the KV bucket: its mode, who set it and why. */
  async globalState(): Promise<GlobalState | undefined> {
    const subjects = createSubjects('');
    const jsm = await jetstreamManager(this.nc);
    const stream = `KV_${subjects.tradingStateBucket}`;
    const subject = `$KV.${subjects.tradingStateBucket}.${tradingStateKey({ kind: 'global' })}`;
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
    if (m === null || m.data.length === 0) return undefined;
    const state = m.json<{ mode?: string; setBy?: string; reason?: string }>();
    return { mode: state.mode, setBy: state.setBy, reason: state.reason };
  }

  async globalMode(): Promise<string | undefined> {
    return (await this.globalState())?.mode;
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    await this.nc.close();
  }
}

interface GlobalState {
  readonly mode: string | undefined;
  readonly setBy: string | undefined;
  readonly reason: string | undefined;
}

/** Seconds the global state spent other than ACTIVE after it first became ACTIVE. */
class HaltClock {
  private seenActive = false;
  private haltedSince: number | undefined;
  private haltedMs = 0;
  last: string | undefined;

  note(mode: string | undefined, now: number): void {
    this.last = mode;
    if (mode === 'ACTIVE') {
      this.seenActive = true;
      if (this.haltedSince !== undefined) this.haltedMs += now - this.haltedSince;
      this.haltedSince = undefined;
    } else if (this.seenActive && this.haltedSince === undefined) {
      this.haltedSince = now;
    }
  }

  seconds(now: number): number {
    const open = this.haltedSince === undefined ? 0 : now - this.haltedSince;
    return Math.round((this.haltedMs + open) / 1000);
  }
}

type Injector = (fault: FaultRecord) => Promise<void>;

function injectors(p: ChaosPlatform, skews: SkewWindow[]): Record<FaultKind, Injector> {
  const windowed =
    (field: string, value: (f: FaultRecord) => number): Injector =>
    async (f) => {
      await p.admin('PATCH', 'faults', { [field]: value(f) });
      setTimeout(() => {
        p.admin('PATCH', 'faults', { [field]: 0 })
          .then(() => (f.endedAt = new Date().toISOString()))
          .catch((err: unknown) => f.notes.push(`reset failed: ${describe(err)}`));
      }, f.durationMs).unref();
    };
  // As the launcher does: a process that dies while starting (its server mid-restart) is started again, with backoff.
  const restart = async (name: ChaosProcess, f: FaultRecord): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await p.start(name);
        f.notes.push(attempt === 1 ? 'restarted' : `restarted on attempt ${attempt}`);
        return;
      } catch (err) {
        f.notes.push(
          `start attempt ${attempt} failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 600)}`,
        );
        if (attempt === 5) return;
        await p.stop(name, 'SIGKILL');
        await sleep(1_000 * 2 ** (attempt - 1));
      }
    }
  };
  const kill =
    (name: ChaosProcess): Injector =>
    (f) =>
      p.chain(name, async () => {
        if (!p.isRunning(name)) f.notes.push('was not running');
        await p.stop(name, 'SIGKILL');
        await sleep(f.durationMs);
        await restart(name, f);
        f.endedAt = new Date().toISOString();
      });
  return {
    'market-ws-drop': async (f) => {
      const r = (await p.admin('POST', 'faults/drop-ws')) as { dropped: number };
      f.notes.push(`dropped ${r.dropped} connections`);
    },
    'user-data-drop': async (f) => {
      const r = (await p.admin('POST', 'faults/expire-user-data')) as { expired: number };
      f.notes.push(`expired ${r.expired} subscriptions`);
    },
    'lost-response-ws-api': (f) =>
      p.admin('PATCH', 'faults', { dropWsApiResponses: f.magnitude }).then(() => undefined),
    'lost-response-rest': async (f) => {
      // The order manager places over the WS API while it is up: cut it, so the next orders go over REST.
      await p.admin('PATCH', 'faults', { dropRestResponses: f.magnitude });
      await p.admin('POST', 'faults/drop-ws');
    },
    'user-data-duplicate': windowed('userDataDuplicateProbability', (f) => f.magnitude),
    'user-data-reorder': windowed('userDataReorderProbability', (f) => f.magnitude),
    'user-data-delay': windowed('userDataDelayMs', (f) => f.magnitude),
    'hidden-fills': (f) => p.admin('PATCH', 'faults', { hideUserFillsMs: f.durationMs }).then(() => undefined),
    'storm-5xx': (f) => p.admin('PATCH', 'faults', { serverErrors: f.magnitude }).then(() => undefined),
    'storm-429': (f) => p.admin('PATCH', 'faults', { tooManyRequests: f.magnitude }).then(() => undefined),
    'ban-418': (f) => p.admin('PATCH', 'faults', { banMs: f.durationMs }).then(() => undefined),
    'clock-skew': async (f) => {
      const from = Date.now();
      await p.admin('PATCH', 'faults', { clockSkewMs: f.magnitude });
      const window = { fromMs: from, toMs: Number.MAX_SAFE_INTEGER, skewMs: f.magnitude };
      skews.push(window);
      setTimeout(() => {
        p.admin('PATCH', 'faults', { clockSkewMs: 0 })
          .then(() => {
            skews[skews.indexOf(window)] = { ...window, toMs: Date.now() };
            f.endedAt = new Date().toISOString();
          })
          .catch((err: unknown) => f.notes.push(`reset failed: ${describe(err)}`));
      }, f.durationMs).unref();
    },
    'kill-order-manager': kill('order-manager'),
    'kill-order-manager-in-flight': (f) =>
      p.chain('order-manager', async () => {
        // The venue takes the next order and its answer is lost: the outbox row is committed, the
        // answer never comes. The order manager dies right then.
        const sim = p.processes.get('exchange-sim');
        let stopListening: () => void = () => undefined;
        const swallowed = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 20_000);
          stopListening =
            sim?.onLine((line) => {
              if (/fault: (swallowed the WS-API response|cut the connection before the REST response)/.test(line)) {
                clearTimeout(timer);
                resolve(true);
              }
            }) ?? (() => undefined);
        });
        await p.admin('PATCH', 'faults', { dropWsApiResponses: 1, dropRestResponses: 1 });
        const inFlight = await swallowed;
        stopListening();
        f.notes.push(inFlight ? 'killed with an order in flight' : 'no order came within 20 s; killed anyway');
        await p.stop('order-manager', 'SIGKILL');
        await p.admin('PATCH', 'faults', { dropWsApiResponses: 0, dropRestResponses: 0 });
        await sleep(f.durationMs);
        await restart('order-manager', f);
        f.endedAt = new Date().toISOString();
      }),
    'kill-reconciler': kill('reconciler'),
    'kill-risk-gate': kill('risk-gate'),
    'kill-market-data': kill('market-data'),
    'kill-strategy-runner-1': kill('strategy-runner-1'),
    'kill-strategy-runner-2': kill('strategy-runner-2'),
    'restart-nats': (f) =>
      p.chain('nats', async () => {
        await p.servers.killNats();
        await sleep(f.durationMs);
        await p.servers.startNats();
        f.endedAt = new Date().toISOString();
      }),
    'restart-postgres': (f) =>
      p.chain('postgres', async () => {
        p.servers.stopPostgres('immediate');
        await sleep(f.durationMs);
        await p.servers.startPostgres();
        f.endedAt = new Date().toISOString();
      }),
    'flush-redis': async () => p.servers.flushRedis(),
    'silent-balance-change': async (f) => {
      await p.admin('POST', 'deposit', {
        account: p.credentials.apiKey,
        asset: 'USDT',
        amount: String(f.magnitude),
        notify: false,
      });
      f.notes.push(`+${f.magnitude} USDT, not announced`);
    },
  };
}

interface BinanceOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  time: number;
  status: string;
}
interface BinanceTrade {
  symbol: string;
  id: number;
  orderId: number;
  qty: string;
  isBuyer: boolean;
  time: number;
}

/**
 * Per (strategy, instrument): the OMS's position row against the net of its stored fills, with the
 * fills the row's fill count leaves out (newest first). A position that differs from the venue's
 * while every trade is stored points here: which fill did the row never take in.
 */
async function auditLedger(pool: ReturnType<typeof createPool>): Promise<object> {
  const { rows } = await pool.query<{
    strategy_id: string;
    instrument: string;
    row_qty: string | null;
    row_fills: number | null;
    fills_qty: string;
    fills: number;
    version: number | null;
  }>(
    `SELECT f.strategy_id, f.instrument, p.qty::text AS row_qty, p.fill_count AS row_fills, p.version,
            sum(CASE WHEN f.side = 'BUY' THEN f.qty ELSE -f.qty END)::text AS fills_qty, count(*)::int AS fills
       FROM fills f LEFT JOIN positions p USING (strategy_id, instrument)
      GROUP BY f.strategy_id, f.instrument, p.qty, p.fill_count, p.version`,
  );
  const differing = rows.filter((r) => r.row_qty === null || !dec(r.row_qty).eq(dec(r.fills_qty)));
  const detail = [];
  for (const r of differing) {
    const fills = await pool.query(
      `SELECT seq::text, venue_fill_id, client_order_id, side, qty::text, price::text, recorded_at, venue_time
         FROM fills WHERE strategy_id = $1 AND instrument = $2 ORDER BY seq DESC LIMIT 40`,
      [r.strategy_id, r.instrument],
    );
    detail.push({ ...r, newestFills: fills.rows });
  }
  const checkpoints = await pool.query('SELECT venue, through_seq::text, updated_at FROM fill_checkpoints');
  return { positions: rows, differing: detail, checkpoints: checkpoints.rows };
}

async function gatherFacts(
  p: ChaosPlatform,
  witness: BusWitness,
  skews: readonly SkewWindow[],
): Promise<{ facts: Facts; ledger: object }> {
  await p.admin('POST', 'rate-limits/reset');
  const venueOrders: BinanceOrder[] = [];
  const venueTrades: BinanceTrade[] = [];
  for (const symbol of Object.keys(SYMBOLS)) {
    for (let from = 0; ;) {
      const page = await p.signed<BinanceOrder[]>('/api/v3/allOrders', { symbol, orderId: from, limit: 1000 });
      venueOrders.push(...page);
      if (page.length < 1000) break;
      from = (page[page.length - 1] as BinanceOrder).orderId + 1;
    }
    for (let from = 0; ;) {
      const page = await p.signed<BinanceTrade[]>('/api/v3/myTrades', { symbol, fromId: from, limit: 1000 });
      venueTrades.push(...page);
      if (page.length < 1000) break;
      from = (page[page.length - 1] as BinanceTrade).id + 1;
    }
  }
  const account = await p.signed<{ balances: { asset: string; free: string; locked: string }[] }>(
    '/api/v3/account',
    {},
  );
  const venueBalances: Record<string, string> = {};
  for (const b of account.balances) venueBalances[b.asset] = dec(b.free).plus(dec(b.locked)).toString();
  // The venue's position is what the account's trades bought minus what they sold (its base balance
  // also moves by fees taken in the base asset, which the balances comparison covers).
  const venuePositions: Record<string, string> = {};
  for (const [symbol, instrument] of Object.entries(SYMBOLS)) {
    let net = dec(0);
    for (const t of venueTrades)
      if (t.symbol === symbol) net = t.isBuyer ? net.plus(dec(t.qty)) : net.minus(dec(t.qty));
    venuePositions[instrument] = net.toString();
  }

  const pool = createPool(p.servers.postgresUrl, { max: 2 });
  try {
    const fills = await pool.query<{ id: string }>('SELECT venue_fill_id AS id FROM fills');
    const orders = await pool.query<{ id: string; status: string; reason: string | null }>(
      'SELECT client_order_id AS id, status, reason FROM orders',
    );
    const balances = await pool.query<{ asset: string; total: string }>(
      'SELECT asset, (free + locked)::text AS total FROM balances',
    );
    const positions = await pool.query<{ instrument: string; qty: string }>(
      'SELECT instrument, sum(qty)::text AS qty FROM positions GROUP BY instrument',
    );
    const tactics = await pool.query<{
      id: string;
      status: string;
      outcome: string | null;
      reason: string | null;
      children: string[] | null;
    }>(
      `SELECT t.parent_client_order_id AS id, t.status, t.outcome, t.reason,
              array_remove(array_agg(c.client_order_id), NULL) AS children
         FROM tactics t LEFT JOIN tactic_children c USING (parent_client_order_id)
        GROUP BY t.parent_client_order_id`,
    );
    const outbox = await pool.query<{ id: string; state: string; last_error: string | null }>(
      'SELECT client_order_id AS id, state, last_error FROM outbox',
    );
    const ledger = await auditLedger(pool);
    await witness.readStreams();
    const facts: Facts = {
      venueOrders,
      venueTrades,
      storedFillIds: fills.rows.map((r) => r.id),
      intents: [...witness.intents.values()],
      decisions: witness.decisions,
      storedOrders: orders.rows.map((r) => ({ clientOrderId: r.id, status: r.status, reason: r.reason })),
      tactics: tactics.rows.map((r) => ({
        parentClientOrderId: r.id,
        status: r.status,
        outcome: r.outcome,
        reason: r.reason,
        childClientOrderIds: r.children ?? [],
      })),
      outbox: outbox.rows.map((r) => ({ clientOrderId: r.id, state: r.state, lastError: r.last_error })),
      venueBalances,
      storedBalances: Object.fromEntries(balances.rows.map((r) => [r.asset, r.total])),
      venuePositions,
      storedPositions: Object.fromEntries(positions.rows.map((r) => [r.instrument, r.qty])),
      skewWindows: skews,
    };
    // Stored fills the venue never made (a fill counted under a second id, say) move positions too.
    const venueTradeIds = new Set(venueTrades.map((t) => `${t.symbol}:${t.id}`));
    const phantomFills = facts.storedFillIds.filter((id) => !venueTradeIds.has(id));
    return { facts, ledger: { ...ledger, phantomFills } };
  } finally {
    await pool.end();
  }
}

/** Orders the platform still holds open (OMS table) plus the venue's open orders of the account. */
async function openOrders(p: ChaosPlatform): Promise<number> {
  const pool = createPool(p.servers.postgresUrl, { max: 1 });
  try {
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected', 'expired')",
    );
    const venue = await p.signed<unknown[]>('/api/v3/openOrders', {});
    return Number(rows[0]?.n ?? 0) + venue.length;
  } finally {
    await pool.end();
  }
}

async function restartAtEnd(p: ChaosPlatform, name: ChaosProcess, notes: string[]): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      await p.start(name);
      notes.push(`started on attempt ${attempt}`);
      return;
    } catch (err) {
      notes.push(`attempt ${attempt} failed: ${describe(err)}`);
      await p.stop(name, 'SIGKILL');
    }
  }
}

/** How the risk gate decided: accepted, and rejections by rule. */
function decisionSummary(decisions: readonly DecisionFact[], intents: number): Record<string, number> {
  const summary: Record<string, number> = { intents, accepted: 0, rejected: 0 };
  for (const d of decisions) {
    summary[d.outcome] = (summary[d.outcome] ?? 0) + 1;
    for (const rule of d.rules ?? []) summary[`rejected:${rule}`] = (summary[`rejected:${rule}`] ?? 0) + 1;
  }
  return summary;
}

/** The first lines of a command's output on one line, for the timeline. */
function summary(output: string): string {
  return output.trim().split('\n').slice(0, 6).join(' | ');
}

/**
 * The operator at the end of the storm. A silent balance change is drift nothing the platform did
 * explains, so the reconciler halts on it and only an operator lifts that halt: when the reconciler's
 * halt stands after the storm and the schedule made such deposits, the operator who investigated
 * found them at the venue. They book each one (`bourse book-transfer`), run a reconciliation that the
 * transfers now explain (`bourse recon`), and resume trading (`bourse resume`) only when that
 * reconciliation passes. Every step goes to
 * the timeline; the halt clock keeps running until the state is ACTIVE. Returns the last `recon`
 * output when the operator acted.
 */
async function playOperator(
  p: ChaosPlatform,
  w: BusWitness,
  records: readonly FaultRecord[],
  note: (event: string) => void,
): Promise<{ code: number | null; output: string } | undefined> {
  const deposits = records.filter(
    (f) =>
      f.kind === 'silent-balance-change' &&
      f.startedAt !== undefined &&
      !f.notes.some((n) => n.startsWith('injection failed')),
  );
  if (deposits.length === 0) return undefined;
  const state = await w.globalState().catch(() => undefined);
  if (state?.mode !== 'HALTED' || state.setBy !== 'reconciler') return undefined;
  note(`operator: the reconciler's halt stands (${state.reason ?? ''}); the silent deposits are found at the venue`);
  for (const f of deposits) {
    const booked = await p.bourse([
      'book-transfer',
      '--asset',
      'USDT',
      '--delta',
      String(f.magnitude),
      '--reason',
      `deposit found at the venue (chaos fault ${f.n}: silent balance change)`,
    ]);
    note(`operator: bourse book-transfer USDT ${f.magnitude} exited ${booked.code}: ${summary(booked.output)}`);
  }
  const recon = await p.bourse(['recon']);
  note(`operator: bourse recon exited ${recon.code}: ${summary(recon.output)}`);
  // A careful operator lifts the halt only once the books agree: a drift the deposits do not explain
  // is something else, and resuming over it would trade on books that differ from the venue's.
  if (recon.code !== 0) {
    note('operator: the reconciliation still reports drift the deposits do not explain; trading stays HALTED');
    return recon;
  }
  const resume = await p.bourse(['resume', '--reason', 'the drift was the silent deposit, now booked']);
  note(`operator: bourse resume exited ${resume.code}: ${summary(resume.output)}`);
  return recon;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const schedule = faultSchedule({
    seed: options.seed,
    count: options.faults,
    stormMs: options.stormMs,
    without: options.without,
  });
  const leftOut = options.without?.length ? ` without=${options.without.join(',')}` : '';
  log(`chaos: seed=${options.seed} faults=${schedule.length} storm=${Math.round(options.stormMs / 1000)}s${leftOut}`);
  const records: FaultRecord[] = schedule.map((f) => ({ ...f, notes: [] }));
  const skews: SkewWindow[] = [];
  const timeline: { at: string; event: string }[] = [];
  const note = (event: string) => {
    timeline.push({ at: new Date().toISOString(), event });
    log(`chaos: ${event}`);
  };

  const servers = await PrivateServers.start();
  let platform: ChaosPlatform | undefined;
  let witness: BusWitness | undefined;
  const halt = new HaltClock();
  let watching = true;
  let watcher: Promise<void> = Promise.resolve();
  try {
    note(`servers: ${servers.natsUrl} ${servers.postgresUrl} ${servers.redisUrl}`);
    platform = await ChaosPlatform.create(servers, log, options.reportFile.replace(/\.json$/, '') + '-logs');
    const p = platform;
    await p.start('exchange-sim');
    witness = await BusWitness.open(servers.natsUrl);
    const w = witness;
    for (const name of START_ORDER.slice(1)) await p.start(name);
    note('platform ready');
    watcher = (async () => {
      let last = '';
      while (watching) {
        const state = await w.globalState().catch(() => undefined);
        halt.note(state === undefined ? halt.last : state.mode, Date.now());
        // Every change of the global state goes to the timeline, with who set it and why.
        const seen = state === undefined ? '' : `${state.mode} by ${state.setBy ?? '?'}: ${state.reason ?? ''}`;
        if (seen !== '' && seen !== last) note(`trading state ${seen}`);
        if (seen !== '') last = seen;
        await sleep(500);
      }
    })();
    const trading = await poll(
      async () => (w.decisions.some((d) => d.outcome === 'accepted') ? true : undefined),
      120_000,
    );
    note(
      trading ? 'first order accepted; the storm begins' : 'no order accepted within 120 s; the storm begins anyway',
    );

    const inject = injectors(p, skews);
    const stormStart = performance.now();
    const running: Promise<void>[] = [];
    for (const f of records) {
      const wait = stormStart + f.atMs - performance.now();
      if (wait > 0) await sleep(wait);
      f.startedAt = new Date().toISOString();
      note(`fault ${f.n}/${records.length} ${f.kind} duration=${f.durationMs} magnitude=${f.magnitude}`);
      running.push(
        inject[f.kind](f).catch((err: unknown) => {
          f.notes.push(`injection failed: ${describe(err)}`);
        }),
      );
    }
    await Promise.all(running);
    await p.idle();
    await p.admin('PUT', 'faults', '');
    note('faults stopped');
    for (const name of START_ORDER) {
      if (p.isRunning(name)) continue;
      note(`${name} was down at the end; starting it`);
      const notes: string[] = [];
      await restartAtEnd(p, name, notes);
      note(`${name}: ${notes.join('; ')}`);
    }
    // No new decisions from here: what is open settles (quotes end by their TTL), then the books are compared.
    await p.stop('strategy-runner-1', 'SIGTERM');
    await p.stop('strategy-runner-2', 'SIGTERM');
    const settled = await poll(async () => (await openOrders(p)) === 0, 60_000, 1_000);
    note(settled ? 'no open orders left' : 'orders still open after 60 s');
    let recon = await p.bourse(['recon']);
    note(`bourse recon exited ${recon.code}: ${summary(recon.output)}`);
    const operated = await playOperator(p, w, records, note);
    if (operated !== undefined) recon = operated;
    const active = await poll(async () => ((await w.globalMode()) === 'ACTIVE' ? true : undefined), 60_000, 1_000);
    const finalMode = await w.globalMode().catch(() => undefined);
    halt.note(finalMode, Date.now());
    note(active ? 'platform ACTIVE' : `platform not ACTIVE after 60 s: ${finalMode ?? 'no global state'}`);
    watching = false;
    await watcher;

    const { facts, ledger } = await gatherFacts(p, w, skews);
    const figures = computeFigures(facts);
    const haltedS = halt.seconds(Date.now());
    const line = figuresLine(options.seed, records.length, figures, haltedS);
    const simFaults = await injectedCounts(p.plan.endpoints.restUrl).catch((err: unknown) => [describe(err)]);
    const ok =
      finalMode === 'ACTIVE' &&
      figures.duplicates === 0 &&
      figures.lost === 0 &&
      figures.lostIntents === 0 &&
      (figures.late ?? 0) === 0 &&
      figures.mismatches === 0;
    mkdirSync(dirname(options.reportFile), { recursive: true });
    writeFileSync(
      options.reportFile,
      `${JSON.stringify(
        {
          seed: options.seed,
          line,
          ok,
          finalMode: finalMode ?? null,
          lastRecon: recon.output,
          figures: { ...figures, discrepancies: undefined },
          decisions: decisionSummary(facts.decisions, facts.intents.length),
          late: figures.late === undefined ? 'n/a: no intent carries expiresAt' : figures.late,
          discrepancies: figures.discrepancies,
          ledger,
          faults: records,
          skewWindows: skews,
          timeline,
          injectedBySim: simFaults,
          logs: Object.fromEntries(START_ORDER.map((n) => [n, p.processes.get(n)?.tail(60) ?? ''])),
        },
        null,
        2,
      )}\n`,
    );
    return { line, figures, finalMode, haltedS, ok, reportFile: options.reportFile };
  } finally {
    watching = false;
    await watcher.catch(() => undefined);
    await witness?.close().catch(() => undefined);
    await platform?.close();
    await servers.stop();
  }
}
