import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommand } from './command.js';

// `bourse backtest` flag checking, in-process: every bad flag gives exit code 2 and a message that
// names the flag. (test/backtest-cli.test.ts runs the real process.)

const dir = mkdtempSync(join(tmpdir(), 'bourse-backtest-flags-'));
const data = join(dir, 'bars.csv');
writeFileSync(
  data,
  [
    'date,open,high,low,close,volume',
    ...Array.from({ length: 30 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},10,11,9,10,5`),
  ].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs the command; returns the exit code main.ts would return and everything written to stderr. */
async function backtest(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (stderr += `${a.join(' ')}\n`));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (stdout += `${a.join(' ')}\n`));
  const program = new Command('bourse')
    .exitOverride()
    .configureOutput({ writeErr: (t) => (stderr += t), writeOut: (t) => (stdout += t) });
  registerBacktestCommand(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['backtest', ...args], { from: 'user' });
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, stderr, stdout };
  } catch (err) {
    if (err instanceof CommanderError) return { code: 2, stderr, stdout };
    throw err;
  }
}

const BASE = ['--data', data, '--strategy', 'sma-cross'];
const PARAMS = ['--param', 'fast=2', '--param', 'slow=5'];

describe('bourse backtest flags', () => {
  it.each([
    [['--fill', 'tomorrow'], /--fill expects one of next-open, close, got "tomorrow"/],
    [['--commission', 'lots'], /--commission expects a rate or maker\/taker rates, got "lots"/],
    [['--commission', '0.6'], /--commission: makerFeeRate "?0.6"? must be .* at most 0.5/],
    [['--slippage', '5:x'], /--slippage expects bps or bps:impact, got "5:x"/],
    [['--latency', '-5'], /--latency expects a whole number of at least 0, got "-5"/],
    [['--size', '2'], /--size expects a fraction in \(0, 1\] or qty:N, got "2"/],
    [['--size', 'qty:x'], /--size expects a fraction in \(0, 1\] or qty:N, got "qty:x"/],
    [['--lot', '0'], /--lot must be above 0, got "0"/],
    [['--tick', 'abc'], /--tick expects a decimal of 0 or more, got "abc"/],
    [['--cash', '-1'], /--cash expects a decimal of 0 or more, got "-1"/],
    [['--spread', '20000'], /--spread expects a decimal of 0 or more up to 10000, got "20000"/],
    [['--symbol', 'goog'], /--symbol expects BASE\/QUOTE, got "goog"/],
    [['--rank', 'luck'], /--rank expects one of returnPct/],
    [['--workers', '0'], /--workers expects a whole number of at least 1, got "0"/],
  ])('%j → exit 2 naming the flag', async (flags, message) => {
    const run = await backtest([...BASE, ...PARAMS, ...flags]);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });

  it.each([
    [['--param', 'fast'], /--param expects name=value, got "fast"/],
    [['--param', 'fast=9', '--param', 'slow=5'], /--param: .*fast.*must be less than slow \(5\), got 9/],
    [['--param', 'fast=1..3', '--param', 'fast=2'], /--param fast is given twice/],
    [['--param', 'fast=7,8', '--param', 'slow=5'], /--param: no combination of the grid is valid for sma-cross/],
    [['--report', dir, '--param', 'fast=2,3', '--param', 'slow=5'], /--report writes one run/],
  ])('params %j → exit 2', async (flags, message) => {
    const run = await backtest([...BASE, ...flags]);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });

  it('names the data file or strategy that is wrong', async () => {
    const missing = await backtest(['--data', join(dir, 'none.csv'), '--strategy', 'sma-cross', ...PARAMS]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data: .*none\.csv/);
    const nope = await backtest(['--data', data, '--strategy', 'nope', ...PARAMS]);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/--strategy: .*nope/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close,volume\n2024-01-01,10,11,9,10,5\n2024-01-02,10,9,11,10,5\n');
    const badRow = await backtest(['--data', bad, '--strategy', 'sma-cross', ...PARAMS]);
    expect(badRow.code).toBe(2);
    expect(badRow.stderr).toMatch(/line 3/);
  });

  it('a good command line runs and prints the stats table and the execution assumptions', async () => {
    const run = await backtest([...BASE, ...PARAMS, '--commission', '0.001', '--lot', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Return \[%\]/);
    expect(run.stdout).toMatch(/execution: fill next-open, commission maker 0.001 taker 0.001/);
  });
});
