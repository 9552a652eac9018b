// Vitest global setup: the tests talk to the real NATS (JetStream), PostgreSQL and Redis at
// NATS_URL, DATABASE_URL and REDIS_URL (the local defaults otherwise). Any of them that does not
// answer on this machine is started here, through the same code `pnpm start` uses (@bourse/servers:
// the machine's binaries, else docker compose), with its data in .bourse/test-servers/ — not the
// folder `pnpm start` keeps its own servers' data in. At the end of the run only what was started
// here is stopped; a server that already answered is never touched.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHECK_TIMEOUT_MS, startMissingServers, type StartedServers } from '@bourse/servers';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The servers' data and their log (their output would drown the test report). */
export const TEST_SERVERS_DIR = join(ROOT, '.bourse', 'test-servers');

export const DEFAULT_URLS = {
  nats: 'nats://127.0.0.1:4222',
  postgres: 'postgres://postgres@127.0.0.1:5432/bourse',
  redis: 'redis://127.0.0.1:6379',
} as const;

/** Starts what does not answer; resolves with the handle that stops it again. */
export async function startTestServers(
  env: NodeJS.ProcessEnv = process.env,
  stateDir = TEST_SERVERS_DIR,
  say: (line: string) => void = (line) => console.log(line),
): Promise<StartedServers> {
  mkdirSync(stateDir, { recursive: true });
  const log = join(stateDir, 'servers.log');
  return startMissingServers(
    {
      urls: {
        nats: env.NATS_URL ?? DEFAULT_URLS.nats,
        postgres: env.DATABASE_URL ?? DEFAULT_URLS.postgres,
        redis: env.REDIS_URL ?? DEFAULT_URLS.redis,
      },
      searchPath: env.PATH ?? '',
    },
    {
      root: ROOT,
      stateDir,
      uid: process.getuid?.() ?? -1,
      checkTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
      readyTimeoutMs: 60_000,
      stopTimeoutMs: 15_000,
      write: (line) => {
        appendFileSync(log, `${line}\n`);
        // What bourse decides is shown; the servers' own lines only go to the log file.
        if (line.startsWith('[bourse] ') && !line.startsWith('[bourse] OK ')) say(line);
      },
      onUnexpectedExit: (exit) => say(`[bourse] ${exit.name} (started for the tests) exited on its own; see ${log}`),
    },
  );
}

export default async function setup(): Promise<() => Promise<void>> {
  const servers = await startTestServers();
  return async () => {
    if (servers.started.length === 0) return;
    await servers.stop();
    console.log(`[bourse] stopped what the test run started: ${servers.started.join(', ')}`);
  };
}
