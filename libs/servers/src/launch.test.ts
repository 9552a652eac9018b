// Starts real NATS, Redis and PostgreSQL servers from this machine's binaries on free loopback
// ports, with their data in a temp dir, checks them, and stops them again.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNats, checkPostgres, checkRedis } from './checks.js';
import { freePort, isAlive, tempDir } from './testing.js';
import { bindHost, launchServer, natsSpec, postgresSpec, redisSpec, type LaunchContext } from './launch.js';
import { Supervisor } from './supervisor.js';

const state = tempDir('bourse-launch-');
// PostgreSQL runs as the postgres user when we are root; it must be able to reach its data dir.
chmodSync(state.path, 0o755);
const lines: string[] = [];
const supervisor = new Supervisor({ write: (l) => lines.push(l), stopTimeoutMs: 10_000 });

function context(overrides: Partial<LaunchContext> = {}): LaunchContext {
  return {
    root: state.path,
    stateDir: state.path,
    searchPath: process.env.PATH ?? '',
    supervisor,
    write: (l) => lines.push(l),
    uid: process.getuid?.() ?? -1,
    docker: () => Promise.resolve({ usable: false, reason: 'not used in this test' }),
    readyTimeoutMs: 30_000,
    ...overrides,
  };
}

afterAll(async () => {
  await supervisor.stopAll();
  state.remove();
});

describe('server specs', () => {
  it('binds the URL host, with localhost meaning 127.0.0.1', () => {
    expect(bindHost('localhost')).toBe('127.0.0.1');
    expect(bindHost('::1')).toBe('::1');
    expect(natsSpec('/bin/nats-server', 'localhost', 4333, '/d', 1).args).toEqual([
      '-js',
      '-a',
      '127.0.0.1',
      '-p',
      '4333',
      '-sd',
      '/d',
    ]);
    expect(redisSpec('/bin/redis-server', '127.0.0.1', 6390, '/d', 1).args).toContain('--save');
  });

  it('stops PostgreSQL with its fast shutdown and runs it as the given user', () => {
    const spec = postgresSpec('/pg/postgres', '127.0.0.1', 5440, '/d', { name: 'postgres', uid: 101, gid: 104 }, 1);
    expect(spec.stopSignal).toBe('SIGINT');
    expect(spec.uid).toBe(101);
    expect(spec.args).toEqual(['-D', '/d', '-p', '5440', '-h', '127.0.0.1', '-k', '']);
  });
});

describe('launchServer', { timeout: 60_000 }, () => {
  it('starts NATS with JetStream, Redis and PostgreSQL from the local binaries, then stops them', async () => {
    const natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const pgUrl = `postgres://postgres@127.0.0.1:${await freePort()}/bourse`;
    const check = { timeoutMs: 5_000 };

    let operatorPassword: string | undefined;
    for (const [kind, url] of [
      ['nats', natsUrl],
      ['redis', redisUrl],
      ['postgres', pgUrl],
    ] as const) {
      const result = await launchServer(kind, url, context());
      expect(result, JSON.stringify(result)).toMatchObject({ launched: true });
      if (result.launched && result.natsPasswords !== undefined) operatorPassword = result.natsPasswords.operator;
    }
    expect(supervisor.running()).toEqual(['nats', 'redis', 'postgres']);
    // Permissions on: no anonymous client; the operator user gets in.
    expect((await checkNats(natsUrl, check)).status).toBe('failed');
    const asOperator = { ...check, natsCredentials: { user: 'operator', pass: operatorPassword ?? '' } };
    expect((await checkNats(natsUrl, asOperator)).detail).toContain('JetStream enabled');
    expect((await checkRedis(redisUrl, check)).status).toBe('ok');
    const pg = await checkPostgres(pgUrl, check);
    expect(pg.status).toBe('ok');
    expect(pg.notes.join(' ')).toContain('does not exist yet');
    expect(lines.some((l) => l.startsWith('[postgres] '))).toBe(true);

    const reports = await supervisor.stopAll();
    expect(reports.map((r) => r.name)).toEqual(['postgres', 'redis', 'nats']);
    expect(reports.every((r) => !r.forced)).toBe(true);
    for (const r of reports) expect(isAlive(r.pid)).toBe(false);
    expect((await checkNats(natsUrl, check)).status).toBe('missing');
    expect((await checkRedis(redisUrl, check)).status).toBe('missing');
    expect((await checkPostgres(pgUrl, check)).status).toBe('missing');
  }, 120_000);

  it('explains what to install when neither a binary nor Docker is there', async () => {
    const result = await launchServer('redis', `redis://127.0.0.1:${await freePort()}`, context({ searchPath: '' }));
    expect(result.launched).toBe(false);
    if (result.launched) return;
    expect(result.reasons[0]).toMatch(/no redis-server on PATH; install Redis 7/);
    expect(result.reasons[1]).toBe('Docker: not used in this test');
  });

  it('as root, refuses a PostgreSQL data dir the postgres user cannot reach, and says what to run instead', async () => {
    const closed = tempDir('bourse-closed-'); // mkdtemp: 0700, root only
    try {
      const result = await launchServer(
        'postgres',
        `postgres://postgres@127.0.0.1:${await freePort()}/bourse`,
        context({ uid: 0, stateDir: join(closed.path, 'state') }),
      );
      expect(result.launched).toBe(false);
      if (result.launched) return;
      expect(result.reasons.join(' ')).toMatch(/running as root.*(pg_ctlcluster|useradd)/);
    } finally {
      closed.remove();
    }
  });
});

describe('launchServer with docker compose for NATS', () => {
  // A stand-in `docker` that records what compose was asked and with which passwords.
  const fake = tempDir('bourse-fake-docker-');
  const docker = join(fake.path, 'docker');
  const record = join(fake.path, 'calls');
  writeFileSync(
    docker,
    `#!/bin/sh\necho "$* market-data=$BOURSE_NATS_PASSWORD_MARKET_DATA operator=$BOURSE_NATS_PASSWORD_OPERATOR" >> ${JSON.stringify(record)}\n`,
  );
  chmodSync(docker, 0o755);
  const composeContext = (overrides: Partial<LaunchContext> = {}): LaunchContext =>
    context({
      stateDir: join(fake.path, 'state'),
      // No nats-server on this PATH: the binary path is not taken.
      searchPath: fake.path,
      docker: () => Promise.resolve({ usable: true, docker }),
      ...overrides,
    });

  afterAll(() => fake.remove());

  it('gives the secured compose NATS the passwords bourse keeps, and hands them back', async () => {
    const result = await launchServer('nats', 'nats://127.0.0.1:4999', composeContext());
    expect(result.launched).toBe(true);
    const passwords = result.launched ? result.natsPasswords : undefined;
    expect(passwords).toBeDefined();
    const call = readFileSync(record, 'utf8').trim();
    expect(call).toMatch(/compose -f .*docker-compose\.yml up -d nats/);
    expect(call).toContain(`market-data=${passwords?.['market-data']} operator=${passwords?.operator}`);
  });

  it('does not offer it to a caller that connects without credentials', async () => {
    const result = await launchServer('nats', 'nats://127.0.0.1:4999', composeContext({ natsPermissions: false }));
    expect(result.launched).toBe(false);
    expect(result.launched ? [] : result.reasons.join(' ')).toMatch(/per-service users/);
  });
});
