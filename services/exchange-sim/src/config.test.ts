import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_ENV,
  API_PUBLIC_KEY_ENV,
  READ_ONLY_API_KEY_ENV,
  READ_ONLY_API_SECRET_ENV,
  API_SECRET_ENV,
  ConfigError,
  DEFAULT_STATE_FILE,
  parseBalances,
  parseConfig,
} from './config.js';
import { runMarkerPath } from './persistence.js';
import { startExchangeSim } from './server.js';

const env = { [API_KEY_ENV]: 'cli-key', [API_SECRET_ENV]: 'cli-secret-do-not-print' };

describe('parseConfig', () => {
  it('reads flags and the key pair from the environment', () => {
    const c = parseConfig(
      [
        '--port',
        '9001',
        '--seed',
        '42',
        '--symbols',
        'btcusdt,ETHUSDT',
        '--faults',
        '5xx=2',
        '--balances',
        'USDT=500,BTC=0.5',
        '--no-activity',
      ],
      env,
    );
    expect(c.options).toMatchObject({
      port: 9001,
      host: '127.0.0.1',
      seed: 42,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      apiKeys: [{ apiKey: 'cli-key', apiSecret: 'cli-secret-do-not-print' }],
      balances: { USDT: '500', BTC: '0.5' },
      stateFile: DEFAULT_STATE_FILE,
      marketActivity: { enabled: false },
    });
    expect(c.options.faults).toMatchObject({ serverErrors: 2 });
    expect(parseConfig(['--no-state'], env).options.stateFile).toBeUndefined();
    expect(parseConfig([], env).options.port).toBe(8090);
  });

  it('refuses a wrong flag, a bad value and missing keys, naming what is wrong', () => {
    expect(() => parseConfig(['--prot', '1'], env)).toThrow(/Unknown option '--prot'/);
    expect(() => parseConfig(['--port', 'eighty'], env)).toThrow(/--port expects a whole number/);
    expect(() => parseConfig(['--symbols', 'DOGEUSDT'], env)).toThrow(/unknown symbol DOGEUSDT/);
    expect(() => parseConfig(['--faults', 'chaos=1'], env)).toThrow(/--faults: bad fault/);
    expect(() => parseConfig([], {})).toThrow(ConfigError);
    expect(() => parseConfig([], {})).toThrow(new RegExp(API_KEY_ENV));
    expect(() => parseBalances('USDT')).toThrow(/not ASSET=amount/);
  });

  it('takes an Ed25519 public key instead of the secret, but not both', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n';
    expect(parseConfig([], { [API_KEY_ENV]: 'ed-key', [API_PUBLIC_KEY_ENV]: pem }).options.apiKeys).toEqual([
      { apiKey: 'ed-key', publicKeyPem: pem },
    ]);
    expect(() => parseConfig([], { ...env, [API_PUBLIC_KEY_ENV]: pem })).toThrow(/set only one of/);
  });

  it('adds a read-only key pair on the same account; one half alone is refused', () => {
    const both = { ...env, [READ_ONLY_API_KEY_ENV]: 'ro-key', [READ_ONLY_API_SECRET_ENV]: 'ro-secret' };
    expect(parseConfig([], both).options.apiKeys?.[1]).toEqual({
      apiKey: 'ro-key',
      apiSecret: 'ro-secret',
      account: env[API_KEY_ENV],
      readOnly: true,
    });
    expect(() => parseConfig([], { ...env, [READ_ONLY_API_KEY_ENV]: 'ro-key' })).toThrow(
      new RegExp(`${READ_ONLY_API_SECRET_ENV} is unset`),
    );
  });
});

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function run(
  args: string[],
  extraEnv: Record<string, string>,
): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', ...extraEnv };
  // tsx as a loader in this very process (not the tsx CLI, which relays signals through a parent
  // that SIGKILLs a child slow to acknowledge them): SIGTERM reaches main.ts itself.
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath, ...args], {
    cwd: packageDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function waitForOutput(get: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const check = (): void => {
      const m = pattern.exec(get());
      if (m) return resolve(m);
      if (performance.now() - started > timeoutMs)
        return reject(new Error(`no ${String(pattern)} in output:\n${get()}`));
      setTimeout(check, 25);
    };
    check();
  });
}

describe('main (the process the CLI runs)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exchange-sim-main-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its URLs when ready, answers ping, and saves state on SIGTERM', async () => {
    const stateFile = join(dir, 'state.json');
    const p = run(['--port', '0', '--no-activity', '--state-file', stateFile], env);
    const m = await waitForOutput(p.output, /REST\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v3[\s\S]*ready/);
    const restUrl = m[1] ?? '';
    const ping = await fetch(`${restUrl}/api/v3/ping`);
    expect({ status: ping.status, output: p.output() }).toMatchObject({ status: 200 });
    expect(p.output()).toMatch(/WS API\s+ws:\/\/127\.0\.0\.1:\d+\/ws-api\/v3/);
    p.child.kill('SIGTERM');
    const code = await p.exited;
    // The whole output in the failure message says why, should the process not stop cleanly.
    expect({ code, saved: existsSync(stateFile), output: p.output() }).toMatchObject({ code: 0, saved: true });
    expect(p.output()).not.toContain(env[API_SECRET_ENV]);
  }, 60_000);

  it('saves on SIGHUP and SIGINT even when the pipe it writes its log to is closed (launcher gone)', async () => {
    for (const signal of ['SIGHUP', 'SIGINT'] as const) {
      const stateFile = join(dir, `${signal}.json`);
      const p = run(['--port', '0', '--no-activity', '--state-file', stateFile], env);
      await waitForOutput(p.output, /ready/);
      expect(existsSync(runMarkerPath(stateFile))).toBe(true);
      // The reader of its stdout and stderr goes away, as a launcher that died would.
      p.child.stdout?.destroy();
      p.child.stderr?.destroy();
      p.child.kill(signal);
      expect({ signal, code: await p.exited, saved: existsSync(stateFile) }).toEqual({ signal, code: 0, saved: true });
      expect(existsSync(runMarkerPath(stateFile))).toBe(false);
    }
  }, 60_000);

  it('after kill -9, the next start says its state is older than the last run and what to do', async () => {
    const stateFile = join(dir, 'killed.json');
    const first = run(['--port', '0', '--no-activity', '--state-file', stateFile], env);
    await waitForOutput(first.output, /ready/);
    first.child.kill('SIGKILL');
    await first.exited;
    const lines: string[] = [];
    const sim = await startExchangeSim({ stateFile, marketActivity: { enabled: false }, log: (l) => lines.push(l) });
    try {
      expect(sim.stateReport).toMatchObject({ previousRunUnsaved: { pid: first.child.pid }, restoredFrom: null });
      const text = lines.join('\n');
      expect(text).toContain(`pid ${String(first.child.pid)}`);
      expect(text).toMatch(/stopped without saving/);
      expect(text).toMatch(/What to do: .*delete .*killed\.json.*bourse recon.*bourse resume/);
      const status = (await (await fetch(`${sim.adminUrl}/status`)).json()) as { state: unknown };
      expect(status.state).toMatchObject({ previousRunUnsaved: { pid: first.child.pid } });
    } finally {
      await sim.close();
    }
  }, 60_000);

  it('exits 2 with a clear message on a wrong flag or without a key pair', async () => {
    const wrong = run(['--colour', 'blue'], env);
    const noKeys = run(['--port', '0'], {});
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toContain("Unknown option '--colour'");
    expect(await noKeys.exited).toBe(2);
    expect(noKeys.output()).toContain(API_KEY_ENV);
  }, 60_000);
});
