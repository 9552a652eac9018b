// Private NATS (JetStream), PostgreSQL and Redis for the chaos run, started from the installed
// binaries on free loopback ports in a temporary folder: the run kills, restarts and flushes them
// without touching the shared servers other tests use.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../support/platform.js';

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  readonly code = 'CHAOS_SERVER_START';
  constructor(
    readonly server: string,
    message: string,
  ) {
    super(`${server}: ${message}`);
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

async function waitForPort(server: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await answers(port))) {
    if (child !== undefined && child.exitCode !== null) throw new ServerStartError(server, `exited ${child.exitCode}`);
    if (performance.now() > deadline)
      throw new ServerStartError(server, `no answer on port ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** PostgreSQL refuses to run as root: as root, its folder and processes belong to the `postgres` user. */
function asPostgres(command: string, args: readonly string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

function run(server: string, command: string, args: readonly string[]): void {
  const [cmd, argv] = asPostgres(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new ServerStartError(server, `${command} ${args[0] ?? ''} failed: ${result.stderr || result.stdout}`);
}

export class PrivateServers {
  private nats: ChildProcess | undefined;
  private redis: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly natsPort: number,
    readonly postgresPort: number,
    readonly redisPort: number,
  ) {}

  get natsUrl(): string {
    return `nats://127.0.0.1:${this.natsPort}`;
  }

  get postgresUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.postgresPort}/bourse`;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}`;
  }

  private get pgData(): string {
    return join(this.dir, 'pg');
  }

  static async start(): Promise<PrivateServers> {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-chaos-servers-'));
    chmodSync(dir, 0o755);
    const [natsPort, postgresPort, redisPort] = (await freePorts(3)) as [number, number, number];
    const servers = new PrivateServers(dir, natsPort, postgresPort, redisPort);
    mkdirSync(join(dir, 'nats'));
    mkdirSync(servers.pgData, { mode: 0o700 });
    if (userInfo().uid === 0) {
      const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(servers.pgData, Number(pg.stdout.trim()), Number(gid.stdout.trim()));
    }
    run('postgres', 'initdb', ['-D', servers.pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // A run that dies (a test timeout, ^C) leaves no server behind: PostgreSQL runs detached.
    process.once('exit', () => servers.abandon());
    await Promise.all([servers.startNats(), servers.startPostgres(), servers.startRedis()]);
    return servers;
  }

  async startNats(): Promise<void> {
    const child = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(this.natsPort), '-sd', join(this.dir, 'nats'), '--server_name', 'chaos'],
      { stdio: 'ignore' },
    );
    this.nats = child;
    await waitForPort('nats-server', this.natsPort, 20_000, child);
  }

  /** kill -9 of nats-server; `startNats` brings it back on the same port and storage. */
  async killNats(): Promise<void> {
    const child = this.nats;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  async startPostgres(): Promise<void> {
    const options = `-p ${this.postgresPort} -c listen_addresses=127.0.0.1 -k ${this.pgData} -c fsync=on -c max_connections=200`;
    run('postgres', 'pg_ctl', ['-D', this.pgData, '-o', options, '-l', join(this.pgData, 'log'), '-w', 'start']);
    await waitForPort('postgres', this.postgresPort, 20_000);
  }

  /** A crash-like stop (immediate: no checkpoint, clients cut); `startPostgres` recovers it. */
  stopPostgres(mode: 'immediate' | 'fast' = 'immediate'): void {
    run('postgres', 'pg_ctl', ['-D', this.pgData, '-m', mode, '-w', 'stop']);
  }

  async startRedis(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    this.redis = child;
    await waitForPort('redis-server', this.redisPort, 20_000, child);
  }

  flushRedis(): void {
    const result = spawnSync('redis-cli', ['-p', String(this.redisPort), 'FLUSHALL'], { encoding: 'utf8' });
    if (result.status !== 0 || !result.stdout.includes('OK'))
      throw new ServerStartError('redis-server', `FLUSHALL failed: ${result.stderr || result.stdout}`);
  }

  /** Synchronous last-ditch stop, for the process's exit. */
  private abandon(): void {
    this.nats?.kill('SIGKILL');
    this.redis?.kill('SIGKILL');
    const [cmd, argv] = asPostgres('pg_ctl', ['-D', this.pgData, '-m', 'immediate', 'stop']);
    spawnSync(cmd, argv, { stdio: 'ignore' });
  }

  async stop(): Promise<void> {
    for (const child of [this.nats, this.redis]) {
      if (child === undefined) continue;
      child.kill('SIGTERM');
      await exited(child);
    }
    try {
      this.stopPostgres('fast');
    } catch {
      // Already down (a failed restart): nothing to stop.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
