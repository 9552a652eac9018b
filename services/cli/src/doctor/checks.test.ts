// The checks against the real servers, against a closed loopback port, and against a NATS
// server without JetStream (started here from the machine's nats-server and stopped after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { findOnPath } from '@bourse/servers';
import { Supervisor } from '@bourse/servers';
import { freePort } from '@bourse/servers/testing';
import { checkNats, checkPostgres, checkRedis } from '@bourse/servers';
import { runDoctor } from './doctor.js';

const options = { timeoutMs: 2_000 };
const config = loadConfig();

describe('checks against the running servers', () => {
  it('reports all three OK with their versions', async () => {
    const results = await runDoctor(config, options);
    expect(results.map((r) => [r.server, r.status])).toEqual([
      ['NATS', 'ok'],
      ['PostgreSQL', 'ok'],
      ['Redis', 'ok'],
    ]);
    for (const r of results) {
      expect(r.version).toMatch(/^\d+\.\d+/);
      expect(r.hint).toBeUndefined();
    }
    expect(results[0]?.detail).toContain('JetStream enabled');
  });

  it('says a missing database will be created, without failing', async () => {
    const url = new URL(config.databaseUrl);
    url.pathname = `/bourse_absent_${process.pid}_${Date.now()}`;
    const result = await checkPostgres(url.toString(), options);
    expect(result.status).toBe('ok');
    expect(result.notes.join(' ')).toMatch(/does not exist yet; `bourse start` creates it/);
  });

  it('reports a wrong Redis password as failed and never prints it', async () => {
    const url = new URL(config.redisUrl);
    url.username = 'bourse_nobody';
    url.password = 'Sup3rSecretPw';
    const result = await checkRedis(url.toString(), options);
    expect(result.status).toBe('failed');
    expect(result.hint).toContain('REDIS_URL');
    expect(JSON.stringify(result)).not.toContain('Sup3rSecretPw');
    expect(result.url).toContain(':***@');
  });
});

describe('checks against a closed loopback port', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  it.each([
    ['NATS', () => checkNats(`nats://127.0.0.1:${port}`, options), 'nats-server -js'],
    ['PostgreSQL', () => checkPostgres(`postgres://postgres:pw@127.0.0.1:${port}/bourse`, options), 'pg_ctlcluster'],
    ['Redis', () => checkRedis(`redis://127.0.0.1:${port}`, options), 'redis-server --port'],
  ])('%s is reported missing with how to start it', async (server, check, command) => {
    const result = await check();
    expect(result.server).toBe(server);
    expect(result.status).toBe('missing');
    expect(result.detail).toBe(`does not answer at 127.0.0.1:${port} (connection refused)`);
    expect(result.hint).toContain(command);
    expect(result.hint).toContain(String(port));
    expect(JSON.stringify(result)).not.toContain(':pw@');
  });
});

describe('NATS without JetStream', () => {
  const supervisor = new Supervisor({ write: () => undefined, stopTimeoutMs: 5_000 });
  let port: number;

  beforeAll(async () => {
    const binary = findOnPath('nats-server', loadConfig().searchPath);
    if (binary === undefined) throw new Error('nats-server is not on PATH; this test starts one without -js');
    port = await freePort();
    await supervisor.start({
      name: 'nats-nojs',
      command: binary,
      args: ['-a', '127.0.0.1', '-p', String(port)],
      ready: { pattern: /Server is ready/, timeoutMs: 10_000 },
    });
  });

  afterAll(async () => {
    await supervisor.stopAll();
  });

  it('is reported as failed with the -js hint', async () => {
    const result = await checkNats(`nats://127.0.0.1:${port}`, options);
    expect(result.status).toBe('failed');
    expect(result.detail).toContain('JetStream is not enabled');
    expect(result.hint).toContain(`nats-server -js -a 127.0.0.1 -p ${port}`);
  });
});
