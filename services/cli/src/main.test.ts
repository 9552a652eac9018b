// The real command as a child process: `tsx services/cli/src/main.ts …`, exit codes and output.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { repoRoot, tsxCommand } from './paths.js';
import { freePort } from './test-helpers.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bourse(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const root = repoRoot();
  const { command, args: argv } = tsxCommand('services/cli/src/main.ts', args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const config = loadConfig();
const serverEnv = { NATS_URL: config.natsUrl, DATABASE_URL: config.databaseUrl, REDIS_URL: config.redisUrl };

describe('bourse (child process)', { timeout: 60_000 }, () => {
  it('doctor: exit 0 and one OK line per server against the running servers', async () => {
    const run = await bourse(['doctor'], serverEnv);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('OK '))).toHaveLength(3);
    expect(lines[0]).toMatch(/^OK +NATS .*JetStream enabled/);
    expect(lines[1]).toMatch(/^OK +PostgreSQL .*PostgreSQL \d+/);
    expect(lines[2]).toMatch(/^OK +Redis .*Redis \d+/);
    expect(lines.at(-1)).toBe('All servers answer.');
  });

  it('doctor: exit 1 with hints for closed ports, passwords masked in every line', async () => {
    const port = await freePort();
    const run = await bourse(['doctor', '--timeout', '1000'], {
      NATS_URL: `nats://op:n4tsPassw0rd@127.0.0.1:${port}`,
      DATABASE_URL: `postgres://postgres:pgPassw0rd@127.0.0.1:${port}/bourse`,
      REDIS_URL: `redis://:r3disPassw0rd@127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^MISSING NATS +nats:\/\/op:\*\*\*@127\.0\.0\.1:\d+ +does not answer .*nats-server -js/m,
    );
    expect(run.stdout).toMatch(/^MISSING PostgreSQL .*docker compose up -d postgres/m);
    expect(run.stdout).toMatch(/^MISSING Redis .*redis-server --port/m);
    expect(run.stdout).toContain('Not ready: NATS, PostgreSQL, Redis.');
    for (const secret of ['n4tsPassw0rd', 'pgPassw0rd', 'r3disPassw0rd']) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('doctor --json: the results as JSON', async () => {
    const run = await bourse(['doctor', '--json'], {
      ...serverEnv,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ server: string; status: string }> };
    expect(parsed.ok).toBe(false);
    expect(parsed.checks.map((c) => `${c.server}:${c.status}`)).toEqual(['NATS:ok', 'PostgreSQL:ok', 'Redis:missing']);
  });

  it('version: the package version and the Node.js version', async () => {
    const run = await bourse(['version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`bourse 0.1.0 (@bourse/cli), node ${process.version}`);
  });

  it('an unknown command: exit 2 and a pointer to --help', async () => {
    const run = await bourse(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stderr).toContain('bourse --help');
  });

  it('a bad flag value: exit 2 naming the flag', async () => {
    const run = await bourse(['doctor', '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--timeout <ms>' argument 'soon' is invalid");
    expect(run.stderr).toContain('bourse --help');
  });

  it('a malformed URL: exit 2 naming the variable, password masked', async () => {
    const run = await bourse(['doctor'], { DATABASE_URL: 'postgres://u:leakMe123@[broken' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^bourse: DATABASE_URL is not a valid URL/);
    expect(run.stderr).not.toContain('leakMe123');
  });
});
