// The real command as a child process: `tsx services/cli/src/main.ts …`, exit codes and output.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { repoRoot, tsxCommand } from './paths.js';
import { freePort, tempDir } from '@bourse/servers/testing';
import { removeTestNamespace } from '@bourse/bus/testing';
import { createSubjects } from '@bourse/contracts';
import { createTestDatabase } from '@bourse/store/testing';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bourse(args: string[], env: Record<string, string> = {}, readerGone = false): Promise<Run> {
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
    // Like `| head` that has already quit: every write to stdout meets a pipe with no reader.
    if (readerGone) child.stdout.destroy();
    else child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const config = loadConfig();
const serverEnv = { NATS_URL: config.natsUrl, DATABASE_URL: config.databaseUrl, REDIS_URL: config.redisUrl };

describe('bourse (child process)', { timeout: 60_000 }, () => {
  it('exits 0 without a word when the reader of its output is gone (EPIPE)', async () => {
    for (const args of [['doctor'], ['version'], ['--help']]) {
      const run = await bourse(args, serverEnv, true);
      expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
    }
  });

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
    expect(run.stderr).toMatch(
      /^bourse: DATABASE_URL \(overrides servers\.postgres of config\/bourse\.yaml\) is not a valid URL/,
    );
    expect(run.stderr).not.toContain('leakMe123');
  });

  it('a bad platform config file: exit 2 naming the file and the field', async () => {
    const dir = tempDir();
    try {
      const file = dir.file('bad.yaml', 'v: 1\nrisk: { limitsFile: /x }\nsim: { port: "http" }\n');
      const run = await bourse(['positions', '--config', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^bourse: .*bad\.yaml: sim\.port .*\(got http\)/);
    } finally {
      dir.remove();
    }
  });

  it('kill: --instrument and --strategy together, or no --reason, are usage errors (exit 2)', async () => {
    const both = await bourse(['kill', '--reason', 'x', '--instrument', 'BTCUSDT', '--strategy', 'a', '--by', 'op']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--instrument <symbol>' cannot be used with option '--strategy <id>'");
    const noReason = await bourse(['resume', '--by', 'op']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
  });

  it('kill and resume through the real command: HALTED then ACTIVE in the namespace, exit 0', async () => {
    const namespace = `t_climain${process.pid}`;
    // A database of its own: the operator's acts are recorded there before they take effect.
    const db = await createTestDatabase();
    const env = { ...serverEnv, DATABASE_URL: db.url, BOURSE_NAMESPACE: namespace, USER: 'carol' };
    try {
      const kill = await bourse(['kill', '--reason', 'drill', '--instrument', 'BTCUSDT'], env);
      expect(kill.code).toBe(0);
      expect(kill.stdout.trim()).toBe('HALTED instrument BTCUSDT (by carol: drill)');
      // The act is logged as JSON on stderr, stdout stays the answer.
      const acts = kill.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['mode'] !== undefined);
      expect(acts).toMatchObject([{ operator: 'carol', mode: 'HALTED', reason: 'drill' }]);
      const resume = await bourse(['resume', '--reason', 'drill over', '--instrument', 'BTCUSDT', '--json'], env);
      expect(resume.code).toBe(0);
      expect(JSON.parse(resume.stdout)).toMatchObject({ state: { mode: 'ACTIVE', setBy: 'carol' } });
    } finally {
      await removeTestNamespace(createSubjects(namespace), config.natsUrl);
      await db.drop();
    }
  });
});
