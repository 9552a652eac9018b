// The whole platform as real processes, for system tests: the exchange simulator and every service
// started the way `bourse start` starts them (same launch plan, same environment), but each one under
// the test's control so it can be killed and restarted on its own. Everything lives in a namespace,
// a database, a Redis key prefix and a state folder of its own, on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { BUS_ROLES, renderNatsAuthorization, type BusRole } from '@bourse/bus';
import { testSubjects, removeTestNamespace, startPrivateNats, type PrivateNats } from '@bourse/bus/testing';
import type { Subjects } from '@bourse/contracts';
import { createPool, ensureSchema, namespaceSchema } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import {
  loadPlatformConfig,
  launchPlan,
  type LaunchPlan,
  type OpsService,
  type PlatformConfig,
  PLATFORM_SERVICES,
  waitForReadyz,
} from '@bourse/cli';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_MAIN = join(ROOT, 'services/cli/src/main.ts');

export type ServiceName = OpsService | 'exchange-sim';

/** Ports nobody listens on right now (the OS picks them; they are released before use). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port from the OS');
      ports.push(address.port);
      return server;
    }),
  );
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export class RunningProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        this.output.push(line);
        for (const listener of this.lineListeners) listener(line);
      }
      // Bounded: a long run keeps only the recent lines for a failure message.
      if (this.output.length > 4_000) this.output.splice(0, this.output.length - 2_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls `listener` with every later output line; returns a function that stops it. */
  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }

  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** Resolves on the first output line matching `pattern` (already printed or still to come). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    if (this.output.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.lineListeners.delete(onLine);
        this.child.off('exit', onExit);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onLine = (line: string) => {
        if (pattern.test(line)) done();
      };
      const onExit = () => done(new Error(`${this.name} exited before ${pattern}:\n${this.tail()}`));
      const timer = setTimeout(
        () => done(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
      this.lineListeners.add(onLine);
      this.child.once('exit', onExit);
    });
  }
}

/** A platform's view of a database another platform owns: its own pool on its own schema; "dropping" it closes the pool. */
async function namespacedPool(shared: TestDatabase, schema: string | undefined): Promise<TestDatabase> {
  const pool = createPool(shared.url, { max: 3, schema });
  if (schema !== undefined) await ensureSchema(pool, schema);
  return { url: shared.url, name: shared.name, pool, migrated: undefined, drop: () => pool.end() };
}

export interface PlatformOptions {
  /** Changes to the default config (config/bourse.yaml) on top of the test's isolation settings. */
  readonly configure?: (config: Record<string, unknown>) => void;
  /**
   * A database another platform uses too (two namespaces side by side); the platform then keeps to
   * its namespace's schema there and leaves the database to its owner. Its own database by default.
   */
  readonly sharedDatabase?: TestDatabase;
  /** Flags added to the sim's command line (ones the platform config has no key for, such as its limits). */
  readonly simArgs?: readonly string[];
  /** Extra environment for one process (e.g. the OTEL_* variables of a tracing test). */
  readonly env?: (service: ServiceName) => Readonly<Record<string, string>>;
  /**
   * Run on a private nats-server with the per-service users and permissions (libs/bus
   * permissions.ts), as `bourse start` does with the nats-server it starts; each service and the
   * `bourse` command connect as their own user.
   */
  readonly natsPermissions?: boolean;
  /**
   * Give market data and the reconciler a read-only key pair of their own (the sim refuses it any
   * order), as a deployment should; the others keep the trading pair.
   */
  readonly readOnlyKeys?: boolean;
}

type KeyPair = { readonly apiKey: string; readonly apiSecret: string };

/** The private nats-server of a platform with permissions, and each user's password. */
export interface PermissionedNats {
  readonly server: PrivateNats;
  readonly passwords: Readonly<Record<BusRole, string>>;
}

export class Platform {
  private readonly processes = new Map<string, RunningProcess>();

  private constructor(
    readonly subjects: Subjects,
    readonly db: TestDatabase,
    readonly stateDir: string,
    readonly configFile: string,
    readonly config: PlatformConfig,
    readonly plan: LaunchPlan,
    readonly simCredentials: { readonly apiKey: string; readonly apiSecret: string },
    private readonly extraSimArgs: readonly string[] = [],
    private readonly extraEnv: PlatformOptions['env'],
    readonly nats?: PermissionedNats,
    /** The read-only pair of market data and the reconciler, when `readOnlyKeys`. */
    readonly readOnlyCredentials?: KeyPair,
  ) {}

  static async create(options: PlatformOptions = {}): Promise<Platform> {
    const subjects = testSubjects();
    // The platform's pool sees what its services see: the namespace's schema.
    const schema = namespaceSchema(subjects.prefix);
    const db =
      options.sharedDatabase === undefined
        ? await createTestDatabase({ schema })
        : await namespacedPool(options.sharedDatabase, schema);
    const stateDir = mkdtempSync(join(tmpdir(), 'bourse-system-'));
    const [simPort, ...opsPorts] = await freePorts(6);
    const raw = parseYaml(readFileSync(join(ROOT, 'config/bourse.yaml'), 'utf8')) as Record<string, unknown>;
    const config = raw as {
      namespace: string;
      servers: Record<string, string>;
      sim: Record<string, unknown>;
      ops: { host: string; ports: Record<string, number> };
      marketData: Record<string, unknown>;
    };
    config.namespace = subjects.prefix;
    config.servers.postgres = db.url;
    let nats: PermissionedNats | undefined;
    if (options.natsPermissions === true) {
      const passwords = Object.fromEntries(BUS_ROLES.map((r) => [r, randomBytes(16).toString('hex')])) as Record<
        BusRole,
        string
      >;
      const users = Object.fromEntries(BUS_ROLES.map((r) => [r, { user: r, password: passwords[r] }]));
      nats = { server: await startPrivateNats(renderNatsAuthorization(subjects, users)), passwords };
      config.servers.nats = nats.server.url;
    }
    config.sim.port = simPort;
    config.sim.persist = false;
    const services: OpsService[] = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'];
    services.forEach((service, i) => (config.ops.ports[service] = opsPorts[i] as number));
    // The venue budget in Redis is this test's own, like its snapshots.
    const venue = raw['venue'] as Record<string, unknown>;
    venue['rateBudget'] = {
      ...(venue['rateBudget'] as Record<string, unknown> | undefined),
      keyPrefix: `bourse:${subjects.prefix}:ratelimit:`,
    };
    options.configure?.(raw);
    const configFile = join(stateDir, 'bourse.yaml');
    writeFileSync(configFile, toYaml(raw));
    const loaded = loadPlatformConfig({ root: ROOT, file: configFile, env: {} });
    const plan = launchPlan(loaded.config, stateDir);
    for (const file of plan.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
    }
    const simCredentials = {
      apiKey: `k${randomBytes(12).toString('hex')}`,
      apiSecret: randomBytes(24).toString('hex'),
    };
    const readOnlyCredentials =
      options.readOnlyKeys === true
        ? { apiKey: `ro${randomBytes(12).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') }
        : undefined;
    return new Platform(
      subjects,
      db,
      stateDir,
      configFile,
      loaded.config,
      plan,
      simCredentials,
      options.simArgs,
      options.env,
      nats,
      readOnlyCredentials,
    );
  }

  private env(service: ServiceName): NodeJS.ProcessEnv {
    const own = service === 'exchange-sim' ? {} : this.plan.serviceEnv[service];
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      BOURSE_SIM_API_KEY: this.simCredentials.apiKey,
      BOURSE_SIM_API_SECRET: this.simCredentials.apiSecret,
      BINANCE_SIM_API_KEY: this.simCredentials.apiKey,
      BINANCE_SIM_API_SECRET: this.simCredentials.apiSecret,
      ...own,
      ...this.readOnlyEnv(service),
      ...(this.nats !== undefined && service !== 'exchange-sim'
        ? { NATS_USER: service, NATS_PASSWORD: this.nats.passwords[service] }
        : {}),
      ...this.extraEnv?.(service),
    };
  }

  /** The sim learns the read-only pair; market data and the reconciler trade-less use it. */
  private readOnlyEnv(service: ServiceName): NodeJS.ProcessEnv {
    const ro = this.readOnlyCredentials;
    if (ro === undefined) return {};
    if (service === 'exchange-sim')
      return { BOURSE_SIM_READONLY_API_KEY: ro.apiKey, BOURSE_SIM_READONLY_API_SECRET: ro.apiSecret };
    if (service === 'market-data' || service === 'reconciler')
      return { BINANCE_SIM_API_KEY: ro.apiKey, BINANCE_SIM_API_SECRET: ro.apiSecret };
    return {};
  }

  /** Starts one process and resolves once it is ready (the sim's ready line; a service's /readyz). */
  async start(service: ServiceName, readyTimeoutMs = 60_000): Promise<void> {
    const spec = PLATFORM_SERVICES.find((s) => s.name === service);
    if (spec === undefined) throw new Error(`unknown service ${service}`);
    const args = service === 'exchange-sim' ? [...(this.plan.simArgs ?? []), ...this.extraSimArgs] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, spec.entry), ...args], {
      cwd: ROOT,
      env: this.env(service),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new RunningProcess(service, child);
    this.processes.set(service, proc);
    if (service === 'exchange-sim') {
      await proc.waitForLine(/^exchange-sim: ready$/, readyTimeoutMs);
      return;
    }
    const exited = new AbortController();
    child.once('exit', () => exited.abort());
    const outcome = await waitForReadyz({
      opsUrl: this.plan.opsUrls[service],
      timeoutMs: readyTimeoutMs,
      signal: exited.signal,
    });
    if (!outcome.ready)
      throw new Error(`${service} not ready (${outcome.reason}: ${outcome.lastAnswer}):\n${proc.tail()}`);
  }

  /**
   * One more process of `service` (a replica), named `name`, with `env` over the service's own
   * environment; it must set the replica's own ops port, whose URL `opsUrl` is waited on.
   */
  async startReplica(
    service: OpsService,
    name: string,
    env: Record<string, string>,
    opsUrl: string,
    readyTimeoutMs = 60_000,
  ): Promise<void> {
    const spec = PLATFORM_SERVICES.find((s) => s.name === service);
    if (spec === undefined) throw new Error(`unknown service ${service}`);
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, spec.entry)], {
      cwd: ROOT,
      env: { ...this.env(service), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new RunningProcess(name, child);
    this.processes.set(name, proc);
    const exited = new AbortController();
    child.once('exit', () => exited.abort());
    const outcome = await waitForReadyz({ opsUrl, timeoutMs: readyTimeoutMs, signal: exited.signal });
    if (!outcome.ready)
      throw new Error(`${name} not ready (${outcome.reason}: ${outcome.lastAnswer}):\n${proc.tail()}`);
  }

  /** Everything, in `bourse start`'s order. */
  async startAll(): Promise<void> {
    for (const spec of PLATFORM_SERVICES) await this.start(spec.name as ServiceName);
  }

  async stop(service: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const proc = this.processes.get(service);
    if (proc === undefined) return null;
    return proc.stop(signal);
  }

  isRunning(service: string): boolean {
    return this.processes.get(service)?.running ?? false;
  }

  logs(service: string, lines = 40): string {
    return this.processes.get(service)?.tail(lines) ?? '(not started)';
  }

  /** `bourse <args>` as an operator runs it, against this platform's config; resolves with its exit code and output. */
  bourse(
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        BOURSE_CONFIG: this.configFile,
        USER: 'system-test',
        ...(this.nats !== undefined ? { NATS_USER: 'operator', NATS_PASSWORD: this.nats.passwords.operator } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  }

  /** Every line `service` printed so far (bounded to the recent ones). */
  output(service: string): readonly string[] {
    return this.processes.get(service)?.output ?? [];
  }

  get simAdminUrl(): string {
    return `${this.plan.endpoints.restUrl}/admin`;
  }

  async close(): Promise<void> {
    // Reverse start order, as `bourse start` stops them.
    const names = [...this.processes.keys()].reverse();
    for (const name of names) await this.stop(name, 'SIGTERM');
    if (this.nats !== undefined) await this.nats.server.stop();
    else await removeTestNamespace(this.subjects);
    await this.db.drop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
