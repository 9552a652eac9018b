// `bourse start` end to end, in a temp checkout: a fake exchange-sim stands in for the real one.
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type CliConfig } from '../config.js';
import { checkNats, checkPostgres, checkRedis } from '@bourse/servers';
import { withDatabase } from '@bourse/servers';
import { freePort, tempDir } from '@bourse/servers/testing';
import { quoteIdentifier } from '@bourse/store';
import { NATS_USERS_FILE } from '@bourse/servers';
import { SIM_CREDENTIALS_FILE, SIM_READONLY_CREDENTIALS_FILE } from './sim-credentials.js';
import { runStart, type StartOptions } from './start.js';

const real = loadConfig();
const databases: string[] = [];

afterAll(async () => {
  const client = new pg.Client({ connectionString: withDatabase(real.databaseUrl, 'postgres') });
  await client.connect();
  for (const name of databases) await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  await client.end();
});

function fakeCheckout(simSource: string) {
  const root = tempDir('bourse-start-');
  chmodSync(root.path, 0o755);
  mkdirSync(join(root.path, 'services/exchange-sim/src'), { recursive: true });
  root.file('services/exchange-sim/src/main.ts', simSource);
  return root;
}

/** Collects output; `when(pattern)` resolves once a line matches. */
function output() {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve();
    },
    when(pattern: RegExp): Promise<void> {
      if (lines.some((l) => pattern.test(l))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

function options(root: string, write: (l: string) => void, stop: AbortSignal): StartOptions {
  return {
    root,
    stateDir: join(root, '.bourse'),
    uid: process.getuid?.() ?? -1,
    checkTimeoutMs: 5_000,
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
    write,
    stop,
    restart: { initialDelayMs: 50, maxDelayMs: 200, maxRestarts: 2, windowMs: 60_000 },
  };
}

// The handler comes first: a stop may follow the ready line at once.
const RUNS_UNTIL_SIGTERM = `
process.on('SIGTERM', () => { console.log('sim stopping'); process.exit(0); });
const greeting: string = 'sim up';
console.log(greeting);
console.log('exchange-sim: ready');
setInterval(() => {}, 1000);
`;
// Becomes ready, then dies, every time: after its restarts the launcher brings everything down.
const DIES_AFTER_READY = `
console.log('exchange-sim: ready');
console.log('sim failing');
process.exit(3);
`;

describe('runStart', { timeout: 60_000 }, () => {
  it('uses the running servers, creates the database, runs the built services and stops them on a signal', async () => {
    const root = fakeCheckout(RUNS_UNTIL_SIGTERM);
    const database = `bourse_cli_start_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    databases.push(database);
    const config: CliConfig = { ...real, databaseUrl: withDatabase(real.databaseUrl, database) };
    const out = output();
    const controller = new AbortController();
    try {
      const done = runStart(
        config,
        options(root.path, (l) => out.write(l), controller.signal),
      );
      await out.when(/^\[exchange-sim\] sim up/);
      await out.when(/running: exchange-sim; Ctrl-C stops them/);
      controller.abort();
      expect(await done).toBe(0);
    } finally {
      root.remove();
    }
    const text = out.lines.join('\n');
    expect(text).toMatch(/\[bourse\] OK +NATS/);
    expect(text).toMatch(/\[bourse\] OK +PostgreSQL/);
    expect(text).toMatch(/\[bourse\] OK +Redis/);
    expect(text).toContain(`created database "${database}"`);
    expect(text).toMatch(/not built yet: order-manager .*strategy-runner/);
    expect(text).toContain('[exchange-sim] sim stopping');
    expect(text).toMatch(/\[bourse\] exchange-sim stopped \(SIGTERM: exit code 0, \d+ ms\)/);
    expect(text).not.toContain('started by bourse');
  });

  it('starts the servers that do not answer, and stops all of it when a service keeps dying', async () => {
    const root = fakeCheckout(DIES_AFTER_READY);
    const config: CliConfig = {
      ...real,
      natsUrl: `nats://127.0.0.1:${await freePort()}`,
      databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/bourse`,
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
    };
    const out = output();
    try {
      expect(
        await runStart(
          config,
          options(root.path, (l) => out.write(l), new AbortController().signal),
        ),
      ).toBe(1);
    } finally {
      root.remove();
    }
    const text = out.lines.join('\n');
    for (const server of ['NATS', 'PostgreSQL', 'Redis']) {
      expect(text).toMatch(new RegExp(`\\[bourse\\] OK +${server} .*started by bourse`));
    }
    expect(text).toContain('created database "bourse"');
    expect(text).toContain('[exchange-sim] sim failing');
    expect(text.match(/\[bourse\] exchange-sim exited unexpectedly \(exit code 3\); restarting it/g)).toHaveLength(2);
    expect(text).toContain('exchange-sim keeps dying (last: exit code 3); stopping everything');
    const check = { timeoutMs: 2_000 };
    expect((await checkNats(config.natsUrl, check)).status).toBe('missing');
    expect((await checkPostgres(config.databaseUrl, check)).status).toBe('missing');
    expect((await checkRedis(config.redisUrl, check)).status).toBe('missing');
  }, 120_000);

  it('runs the nats-server it starts with permissions on: each service as its own user, no anonymous client', async () => {
    const root = fakeCheckout(RUNS_UNTIL_SIGTERM);
    // A stand-in runner that says which NATS user it was given (never the password).
    mkdirSync(join(root.path, 'services/strategy-runner/src'), { recursive: true });
    root.file(
      'services/strategy-runner/src/main.ts',
      "console.log(`runner as ${process.env.NATS_USER} (password ${process.env.NATS_PASSWORD ? 'set' : 'unset'})`);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n",
    );
    const database = `bourse_cli_start_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    databases.push(database);
    const natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const config: CliConfig = { ...real, natsUrl, databaseUrl: withDatabase(real.databaseUrl, database) };
    const out = output();
    const controller = new AbortController();
    let users: Record<string, string> = {};
    try {
      const done = runStart(
        config,
        options(root.path, (l) => out.write(l), controller.signal),
      );
      await out.when(/running: exchange-sim, strategy-runner; Ctrl-C stops them/);
      await out.when(/^\[strategy-runner\] runner as/);
      users = JSON.parse(readFileSync(join(root.path, '.bourse', NATS_USERS_FILE), 'utf8')) as Record<string, string>;
      expect(statSync(join(root.path, '.bourse', NATS_USERS_FILE)).mode & 0o777).toBe(0o600);
      const check = { timeoutMs: 5_000 };
      expect((await checkNats(natsUrl, check)).status).toBe('failed');
      const runner = await connect({ servers: natsUrl, user: 'strategy-runner', pass: users['strategy-runner'] });
      try {
        const refused = new Promise<string>((resolve) => {
          void (async () => {
            for await (const s of runner.status()) if (s.type === 'error') resolve(String(s.error));
          })();
        });
        runner.publish('order.request.BTCUSDT', 'forged');
        expect(await refused).toMatch(/Permissions Violation for Publish to "order\.request\.BTCUSDT"/);
      } finally {
        await runner.close();
      }
      controller.abort();
      expect(await done).toBe(0);
    } finally {
      root.remove();
    }
    const text = out.lines.join('\n');
    expect(text).toMatch(/\[bourse\] OK +NATS .*started by bourse: .*with per-service users/);
    expect(text).toContain('[strategy-runner] runner as strategy-runner (password set)');
    expect(Object.keys(users)).toContain('operator');
    for (const password of Object.values(users)) expect(text).not.toContain(password);
  }, 120_000);

  it('hands each service the least sim key it needs: trading to the order manager, read-only to market data and the reconciler, none to the rest', async () => {
    const root = fakeCheckout(RUNS_UNTIL_SIGTERM);
    // Stand-ins that say which key they were given, by the key (never the secret).
    const tell = (name: string) =>
      `console.log(\`${name} key=\${process.env.BINANCE_SIM_API_KEY ?? 'none'} secret=\${process.env.BINANCE_SIM_API_SECRET ? 'set' : 'unset'} read-only=\${process.env.BINANCE_SIM_READ_ONLY ?? 'unset'} venue-pair=\${process.env.BOURSE_SIM_API_KEY ?? 'none'}\`);\nsetInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n`;
    const standIns = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'];
    for (const name of standIns) {
      mkdirSync(join(root.path, `services/${name}/src`), { recursive: true });
      root.file(`services/${name}/src/main.ts`, tell(name));
    }
    const database = `bourse_cli_start_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    databases.push(database);
    const config: CliConfig = { ...real, databaseUrl: withDatabase(real.databaseUrl, database) };
    const out = output();
    const controller = new AbortController();
    let trading = { apiKey: '' };
    let readOnly = { apiKey: '' };
    // A pair exported in the launcher's own shell must not reach a service that gets none.
    const before = process.env['BINANCE_SIM_API_KEY'];
    process.env['BINANCE_SIM_API_KEY'] = 'exported-in-the-shell';
    try {
      const done = runStart(
        config,
        options(root.path, (l) => out.write(l), controller.signal),
      );
      for (const name of standIns) await out.when(new RegExp(`^\\[${name}\\] ${name} key=`));
      trading = JSON.parse(readFileSync(join(root.path, '.bourse', SIM_CREDENTIALS_FILE), 'utf8')) as typeof trading;
      readOnly = JSON.parse(
        readFileSync(join(root.path, '.bourse', SIM_READONLY_CREDENTIALS_FILE), 'utf8'),
      ) as typeof readOnly;
      expect(statSync(join(root.path, '.bourse', SIM_READONLY_CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
      controller.abort();
      expect(await done).toBe(0);
    } finally {
      if (before === undefined) delete process.env['BINANCE_SIM_API_KEY'];
      else process.env['BINANCE_SIM_API_KEY'] = before;
      root.remove();
    }
    expect(readOnly.apiKey).not.toBe(trading.apiKey);
    const said = (name: string) => out.lines.find((l) => l.startsWith(`[${name}] ${name} key=`));
    expect(said('order-manager')).toBe(
      `[order-manager] order-manager key=${trading.apiKey} secret=set read-only=unset venue-pair=none`,
    );
    for (const name of ['reconciler', 'market-data']) {
      expect(said(name)).toBe(`[${name}] ${name} key=${readOnly.apiKey} secret=set read-only=true venue-pair=none`);
    }
    for (const name of ['risk-gate', 'strategy-runner']) {
      expect(said(name)).toBe(`[${name}] ${name} key=none secret=unset read-only=unset venue-pair=none`);
    }
    expect(out.lines.join('\n')).toMatch(
      /sim API keys: trading made a new pair in \.bourse\/sim-credentials\.json; read-only made a new pair in \.bourse\/sim-readonly-credentials\.json/,
    );
  }, 120_000);

  it('exits 1 naming what to install when a server is missing and nothing can start it', async () => {
    const root = fakeCheckout(RUNS_UNTIL_SIGTERM);
    const port = await freePort();
    const config: CliConfig = { ...real, natsUrl: `nats://127.0.0.1:${port}`, searchPath: '' };
    const out = output();
    try {
      expect(
        await runStart(
          config,
          options(root.path, (l) => out.write(l), new AbortController().signal),
        ),
      ).toBe(1);
    } finally {
      root.remove();
    }
    const text = out.lines.join('\n');
    expect(text).toContain(`NATS does not answer at 127.0.0.1:${port} and cannot be started here`);
    expect(text).toContain('no nats-server on PATH; install nats-server');
    expect(text).toContain('Docker: no docker client on PATH');
    expect(text).toContain(`nats-server -js -a 127.0.0.1 -p ${port}`);
    expect(text).not.toContain('[exchange-sim]');
  });
});
