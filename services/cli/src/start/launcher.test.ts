// `bourse start` as a real process, stopped every way it can be: a clean stop (SIGINT, SIGTERM,
// SIGHUP, its output closed, its own crash) stops the services in reverse start order; SIGKILL
// leaves each service to notice by itself. Either way no service process and no listening port
// remains. The services are small stand-ins in a temp checkout that listen on a port and use the
// real parent watch from @bourse/telemetry.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '@bourse/store';
import { loadConfig } from '../config.js';
import { withDatabase } from '@bourse/servers';
import { repoRoot, tsxCommand } from '../paths.js';
import { freePort, isAlive, tempDir } from '@bourse/servers/testing';

const real = loadConfig();
const database = `bourse_cli_launcher_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const databaseUrl = withDatabase(real.databaseUrl, database);
const parentWatch = pathToFileURL(join(repoRoot(), 'libs/telemetry/src/parent-watch.ts')).href;

afterAll(async () => {
  const client = new pg.Client({ connectionString: withDatabase(real.databaseUrl, 'postgres') });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
  await client.end();
});

/** A service stand-in: listens, says so, beats every 100 ms, notes its stop in the journal. */
function service(name: string, readyLine: string): string {
  return `
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { watchParent } from ${JSON.stringify(parentWatch)};
const journal = process.env['LAUNCHER_JOURNAL'] as string;
const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log('listening ' + (typeof address === 'object' && address !== null ? address.port : 0) + ' pid ' + process.pid);
  ${readyLine === '' ? '' : `console.log(${JSON.stringify(readyLine)});`}
});
process.on('SIGTERM', () => {
  appendFileSync(journal, ${JSON.stringify(name)} + ' stopping\\n');
  server.close();
  process.exit(0);
});
watchParent({ intervalMs: 50 });
setInterval(() => console.log('beat'), 100);
`;
}

const SERVICES = ['exchange-sim', 'order-manager', 'strategy-runner'] as const;

function fakeCheckout() {
  const root = tempDir('bourse-launcher-');
  chmodSync(root.path, 0o755);
  for (const name of SERVICES) {
    mkdirSync(join(root.path, `services/${name}/src`), { recursive: true });
    root.file(`services/${name}/src/main.ts`, service(name, name === 'exchange-sim' ? 'exchange-sim: ready' : ''));
  }
  return root;
}

interface Launched {
  readonly child: ChildProcessWithoutNullStreams;
  readonly journal: string;
  readonly crashFile: string;
  /** service name → its pid and port, once each said it listens. */
  readonly services: Map<string, { pid: number; port: number }>;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

async function launch(root: string, env: Record<string, string> = {}): Promise<Launched> {
  const journal = join(root, 'journal.txt');
  writeFileSync(journal, '');
  const crashFile = join(root, 'crash-now');
  const { command, args } = tsxCommand(join(repoRoot(), 'services/cli/src/start/launcher-harness.ts'), [
    root,
    databaseUrl,
  ]);
  const child = spawn(command, args, {
    cwd: repoRoot(),
    env: { ...process.env, ...env, LAUNCHER_JOURNAL: journal, LAUNCHER_CRASH_FILE: crashFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const services = new Map<string, { pid: number; port: number }>();
  let running: () => void = () => undefined;
  const allRunning = new Promise<void>((resolve) => (running = resolve));
  const onText = (chunk: string) => {
    text += chunk;
    for (const m of text.matchAll(/^\[([a-z-]+)\] listening (\d+) pid (\d+)$/gm)) {
      services.set(m[1] as string, { port: Number(m[2]), pid: Number(m[3]) });
    }
    if (services.size === SERVICES.length && /running: exchange-sim, order-manager, strategy-runner/.test(text))
      running();
  };
  child.stdout.setEncoding('utf8').on('data', onText);
  child.stderr.setEncoding('utf8').on('data', onText);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    allRunning,
    exited.then(() => {
      throw new Error(`the launcher exited before everything ran:\n${text}`);
    }),
  ]);
  return { child, journal, crashFile, services, output: () => text, exited };
}

/** True while something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits (bounded by the test's timeout) until the journal names every service. */
async function journalOfAll(journal: string): Promise<string[]> {
  for (;;) {
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= SERVICES.length) return lines;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectNothingLeft(launched: Launched): Promise<void> {
  for (const [name, { pid, port }] of launched.services) {
    expect({ name, alive: isAlive(pid), listening: await listening(port) }).toEqual({
      name,
      alive: false,
      listening: false,
    });
  }
}

const IN_ORDER = ['strategy-runner stopping', 'order-manager stopping', 'exchange-sim stopping'];

describe('bourse start as a process', { timeout: 120_000 }, () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: stops the services in order (strategies first, the venue last) and exits 0`, async () => {
      const root = fakeCheckout();
      try {
        const launched = await launch(root.path);
        launched.child.kill(signal);
        expect(await launched.exited).toBe(0);
        expect(launched.output()).toContain(`[bourse] ${signal}: stopping everything bourse started`);
        expect(readFileSync(launched.journal, 'utf8').split('\n').filter(Boolean)).toEqual(IN_ORDER);
        await expectNothingLeft(launched);
      } finally {
        root.remove();
      }
    });
  }

  it('a closed output (the reader of a pipe gone): stops in order and exits 0, no EPIPE crash', async () => {
    const root = fakeCheckout();
    try {
      const launched = await launch(root.path);
      // The services beat every 100 ms, so the launcher writes again at once and meets the closed pipe.
      launched.child.stdout.destroy();
      expect(await launched.exited).toBe(0);
      expect(launched.output()).toContain('[bourse] output closed; stopping everything bourse started');
      expect(launched.output()).not.toContain('EPIPE');
      expect(readFileSync(launched.journal, 'utf8').split('\n').filter(Boolean)).toEqual(IN_ORDER);
      await expectNothingLeft(launched);
    } finally {
      root.remove();
    }
  });

  it('its own crash: stops in order, says why, and exits 1', async () => {
    const root = fakeCheckout();
    try {
      const launched = await launch(root.path);
      writeFileSync(launched.crashFile, '');
      expect(await launched.exited).toBe(1);
      expect(launched.output()).toMatch(/\[bourse\] the launcher failed: Error: a bug in the launcher \(test\)/);
      expect(readFileSync(launched.journal, 'utf8').split('\n').filter(Boolean)).toEqual(IN_ORDER);
      await expectNothingLeft(launched);
    } finally {
      root.remove();
    }
  });

  it('SIGKILL: each service notices its launcher is gone and stops by itself', async () => {
    const root = fakeCheckout();
    try {
      const launched = await launch(root.path);
      launched.child.kill('SIGKILL');
      await launched.exited;
      expect([...(await journalOfAll(launched.journal))].sort()).toEqual([...IN_ORDER].sort());
      // Each stand-in closes its port and exits in its SIGTERM handler; wait for the exits.
      for (const { pid } of launched.services.values()) {
        while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expectNothingLeft(launched);
    } finally {
      root.remove();
    }
  });

  it('SIGKILL: the NATS and Redis it started stop too (they run under a watchdog)', async () => {
    const root = fakeCheckout();
    const [natsPort, redisPort] = [await freePort(), await freePort()];
    try {
      const launched = await launch(root.path, {
        NATS_URL: `nats://127.0.0.1:${natsPort}`,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      });
      expect(launched.output()).toMatch(/\[bourse\] OK +NATS .*started by bourse/);
      expect(launched.output()).toMatch(/\[bourse\] OK +Redis .*started by bourse/);
      expect(await listening(natsPort)).toBe(true);
      expect(await listening(redisPort)).toBe(true);
      launched.child.kill('SIGKILL');
      await launched.exited;
      await journalOfAll(launched.journal);
      for (const port of [natsPort, redisPort]) {
        while (await listening(port)) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const { pid } of launched.services.values()) {
        while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await expectNothingLeft(launched);
    } finally {
      root.remove();
    }
  });
});
