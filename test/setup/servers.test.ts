// The tests' global setup against servers of its own: free loopback ports where nothing answers,
// a data folder of its own. It starts all three through @bourse/servers (as `pnpm start` does),
// leaves alone what already answers, and stops only what it started.
import { chmodSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNats, checkPostgres, checkRedis, type StartedServers } from '@bourse/servers';
import { freePort, tempDir } from '@bourse/servers/testing';
import { startTestServers } from './servers.js';

const state = tempDir('bourse-test-servers-');
// PostgreSQL runs as the postgres user when we are root; it must be able to reach its data folder.
chmodSync(state.path, 0o755);
const started: StartedServers[] = [];
const lines: string[] = [];

afterAll(async () => {
  for (const s of started) await s.stop();
  state.remove();
}, 60_000);

describe('the test servers global setup', () => {
  it('starts NATS, PostgreSQL and Redis where none answers, leaves running ones alone, stops only its own', async () => {
    const [nats, postgres, redis] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      NATS_URL: `nats://127.0.0.1:${nats}`,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres}/bourse`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
    };
    const check = { timeoutMs: 5_000 };
    const statuses = async () =>
      [
        await checkNats(env.NATS_URL, check),
        await checkPostgres(env.DATABASE_URL, check),
        await checkRedis(env.REDIS_URL, check),
      ].map((r) => r.status);
    expect(await statuses()).toEqual(['missing', 'missing', 'missing']);

    const ours = await startTestServers(env, state.path, (l) => lines.push(l));
    started.push(ours);
    expect([...ours.started].sort()).toEqual(['nats', 'postgres', 'redis']);
    expect(await statuses()).toEqual(['ok', 'ok', 'ok']); // the NATS check asks JetStream too

    // A second run finds them answering: it starts nothing, and its stop touches nothing.
    const again = await startTestServers(env, state.path, (l) => lines.push(l));
    expect(again.started).toEqual([]);
    await again.stop();
    expect(await statuses()).toEqual(['ok', 'ok', 'ok']);

    await ours.stop();
    started.pop();
    expect(await statuses()).toEqual(['missing', 'missing', 'missing']);
    expect(lines.filter((l) => l.includes('does not answer'))).toHaveLength(3);
  }, 180_000);
});
