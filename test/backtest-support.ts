import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, tsxCommand } from '@bourse/cli';

// Shared by the test/backtest-*.test.ts files: the real `bourse` command as a child process, and
// small synthetic bar files.

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function bourse(args: readonly string[], timeoutMs = 50_000): Promise<Run> {
  const { command, args: argv } = tsxCommand('services/cli/src/main.ts', args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `bourse` on a terminal: run under util-linux `script`, which gives the command a pseudo-terminal as
 * its stdout and stderr (both then arrive in `stdout`, with the terminal's CR LF line ends).
 */
export function bourseOnTerminal(args: readonly string[], timeoutMs = 50_000): Promise<Run> {
  const { command, args: argv } = tsxCommand('services/cli/src/main.ts', args);
  const quoted = [command, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', quoted, '/dev/null'], {
      cwd: repoRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', (err) =>
      reject(
        new Error(`cannot run util-linux "script" for a pseudo-terminal (apt-get install bsdutils): ${err.message}`),
      ),
    );
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `n` daily bars from 2020-01-01 whose closes wave (a sine of period `period` bars on a slow trend), so
 * moving-average crosses happen every few weeks. Exact two-decimal prices.
 */
export function wavyBarsCsv(n: number, period = 40): string {
  const lines = ['date,open,high,low,close,volume'];
  let prev = 100;
  for (let i = 0; i < n; i++) {
    const close = Math.round((100 + i * 0.05 + 10 * Math.sin((2 * Math.PI * i) / period)) * 100) / 100;
    const open = prev;
    const high = Math.max(open, close) + 0.5;
    const low = Math.min(open, close) - 0.5;
    const date = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${date},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${1000 + i}`);
    prev = close;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Daily bars of two instruments whose log-price spread swings around zero (a sine of `period` bars,
 * `amplitude` in log terms) on a common drift: `{ a, b }` CSV texts, the same dates in both.
 */
export function pairBarsCsv(
  n: number,
  { period = 30, amplitude = 0.05, a = 30_000, b = 2_000 } = {},
): {
  a: string;
  b: string;
} {
  const rows = { a: ['date,open,high,low,close,volume'], b: ['date,open,high,low,close,volume'] };
  let prevA = a;
  let prevB = b;
  for (let i = 0; i < n; i++) {
    const common = 0.002 * i + 0.03 * Math.sin((2 * Math.PI * i) / 17);
    const spread = amplitude * Math.sin((2 * Math.PI * i) / period);
    const closeA = Math.round(a * Math.exp(common + spread / 2) * 100) / 100;
    const closeB = Math.round(b * Math.exp(common - spread / 2) * 100) / 100;
    const date = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    for (const [rowsOf, open, close] of [
      [rows.a, prevA, closeA],
      [rows.b, prevB, closeB],
    ] as const) {
      const high = Math.max(open, close) * 1.001;
      const low = Math.min(open, close) * 0.999;
      rowsOf.push(`${date},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${1000 + i}`);
    }
    prevA = closeA;
    prevB = closeB;
  }
  return { a: `${rows.a.join('\n')}\n`, b: `${rows.b.join('\n')}\n` };
}

export interface Scratch {
  readonly dir: string;
  file(name: string, content: string): string;
  remove(): void;
}

export function scratch(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
