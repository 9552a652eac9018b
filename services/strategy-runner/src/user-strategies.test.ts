import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trade } from '@bourse/contracts';
import type { RunnerEvent } from './runner.js';
import { barBase, makeRunner, startHarness, trade, type Harness } from './test-support.js';

// A user's own strategy, in a folder outside the repository, named by `module:` in the strategies file
// and loaded as main.ts loads it (loadStrategiesFile + reportRefused), beside entries that cannot load.

const TradeContract = { name: 'Trade', schema: Trade };

const BREAKOUT = `
import { z } from 'zod';
import { defineStrategy } from '@bourse/strategy';
import { above } from './lib/levels.ts';

export const breakout = defineStrategy({
  name: 'breakout',
  version: '0.1.0',
  params: z.strictObject({ level: z.number().positive(), qty: z.string() }),
  timeframes: ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(params) {
    let done = false;
    return {
      onBar(bar) {
        if (done || !above(bar.close, params.level)) return [];
        done = true;
        return [{ instrument: bar.symbol, side: 'BUY', qty: params.qty, style: 'market', inputs: { close: String(bar.close) } }];
      },
    };
  },
});
`;

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'bourse-runner-user-'));
  mkdirSync(join(dir, 'strategies', 'lib'), { recursive: true });
  writeFileSync(
    join(dir, 'strategies', 'lib', 'levels.ts'),
    'export const above = (x: number, level: number): boolean => x > level;\n',
  );
  writeFileSync(join(dir, 'strategies', 'breakout.ts'), BREAKOUT);
  writeFileSync(join(dir, 'strategies', 'leaky.ts'), `import { connect } from 'nats';\nvoid connect;\n${BREAKOUT}`);
});
afterAll(async () => {
  await h.close();
});

const entry = (lines: string, symbol: string) =>
  `  - ${lines}\n    version: 0.1.0\n    venue: binance\n    instruments: [${symbol}]\n`;

describe('strategy runner with users’ strategy modules', () => {
  it('runs a module: entry, and refuses each bad one with its error logged and counted while the good one trades', async () => {
    await h.setMode('ACTIVE');
    const file = join(dir, 'strategies.yaml');
    writeFileSync(
      file,
      'strategies:\n' +
        entry('module: ./strategies/breakout.ts\n    id: brk\n    params: { level: 100, qty: "0.5" }', 'BTC/USDT') +
        entry('module: ./strategies/gone.ts\n    id: gone\n    params: { level: 100, qty: "1" }', 'ETH/USDT') +
        entry(
          'module: ./strategies/breakout.ts#breakOut\n    id: typo\n    params: { level: 100, qty: "1" }',
          'ETH/USDT',
        ) +
        entry('module: ./strategies/breakout.ts\n    id: neg\n    params: { level: -1, qty: "1" }', 'ETH/USDT') +
        entry('module: ./strategies/leaky.ts\n    id: leaky\n    params: { level: 100, qty: "1" }', 'ETH/USDT'),
    );
    const r = await makeRunner(h, { strategiesFile: file });

    const refused = r.logs.entries().filter((e) => String(e['msg']).startsWith('strategy refused'));
    expect(refused.map((e) => [e['strategy'], e['code'], e['field']])).toEqual([
      ['gone', 'STRATEGY_NOT_FOUND', 'module'],
      ['typo', 'STRATEGY_EXPORT_INVALID', 'export'],
      ['neg', 'STRATEGY_CHECK_FAILED', 'params.level'],
      ['leaky', 'STRATEGY_IMPORT_FORBIDDEN', 'imports'],
    ]);
    expect(refused[0]?.['file']).toBe(join(dir, 'strategies', 'gone.ts'));
    expect(refused[1]?.['export']).toBe('breakOut');
    expect(refused[3]?.['file']).toBe(join(dir, 'strategies', 'leaky.ts'));
    expect(String(refused[3]?.['msg'])).toContain('imports "nats"');
    const metric = await r.registry.getSingleMetric('bourse_strategy_load_failures_total')?.get();
    expect(metric?.values.map((v) => [v.labels['strategy'], v.labels['code'], v.value])).toEqual([
      ['gone', 'STRATEGY_NOT_FOUND', 1],
      ['typo', 'STRATEGY_EXPORT_INVALID', 1],
      ['neg', 'STRATEGY_CHECK_FAILED', 1],
      ['leaky', 'STRATEGY_IMPORT_FORBIDDEN', 1],
    ]);

    await r.runner.start();
    const acquired = await r.waitFor((e) => e.type === 'acquired', 10_000, 'an instrument');
    // Only the good strategy's instrument is run: the refused entries' ETH/USDT is not leased.
    expect(acquired).toMatchObject({ instrument: { symbol: 'BTC/USDT' } });
    const base = barBase();
    ['99', '101', '102'].forEach((price, i) =>
      h.bus.publish(
        h.subjects.md.trade('binance', 'BTCUSDT'),
        TradeContract,
        trade('BTC/USDT', price, base + i * 1000, i),
      ),
    );
    const published = (await r.waitFor((e) => e.type === 'published', 10_000, 'an intent')) as Extract<
      RunnerEvent,
      { type: 'published' }
    >;
    expect(await h.intentAt(published.seq)).toMatchObject({
      strategyId: 'brk',
      strategyVersion: '0.1.0',
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.5',
      inputs: { close: '101' },
    });
    expect(r.events.filter((e) => e.type === 'acquired')).toHaveLength(1);
    await r.runner.stop();
  });
});
