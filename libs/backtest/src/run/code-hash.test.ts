import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Intent } from '@bourse/contracts';
import { loadStrategy } from '@bourse/strategy/loader';
import { describe, expect, it } from 'vitest';
import { specFor, type BacktestPlan } from '../sweep/plan.js';
import { DAY, dailyBars } from '../testing.js';
import { runBacktest } from './run-backtest.js';

// A backtest's intents carry the hash of the strategy code the loader loaded, as the strategy
// runner's do (issue 21 §2): "which code made this trade" has the same answer in a backtest.

const dir = mkdtempSync(join(tmpdir(), 'bourse-backtest-hash-'));
writeFileSync(
  join(dir, 'buy-each-bar.ts'),
  `import { z } from 'zod';
import { defineStrategy, type IntentDraft } from '@bourse/strategy';

export default defineStrategy({
  name: 'buy-each-bar',
  version: '1.0.0',
  params: z.strictObject({}),
  timeframes: ['1d'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create() {
    return {
      onBar(bar): IntentDraft[] {
        return [{ instrument: bar.symbol, side: 'BUY', qty: '1', style: 'market' }];
      },
    };
  },
});
`,
);

const plan: BacktestPlan = {
  strategy: { kind: 'module', module: './buy-each-bar.ts', baseDir: dir },
  dataPath: 'unused.csv',
  input: 'bars',
  symbol: 'TEST/USD',
  cash: '10000',
  execution: { tick: '0.01', lot: '1' },
  longShort: false,
  barMs: DAY,
  baseParams: { timeframe: '1d' },
  axes: [],
};

const ROWS = [
  [100, 110, 90, 105, 1000],
  [106, 112, 100, 110, 1000],
  [111, 115, 95, 100, 1000],
] as const;

async function intentsOf(codeHash: string | undefined): Promise<Intent[]> {
  const loaded = await loadStrategy(plan.strategy);
  const intents: Intent[] = [];
  const spec = specFor(plan, {}, loaded.definition, codeHash);
  await runBacktest({ ...spec, onIntent: (i) => intents.push(i) }, await dailyBars(ROWS));
  return intents;
}

describe('code hash in a backtest', () => {
  it("puts the loaded strategy's code hash on every intent", async () => {
    const { codeHash } = await loadStrategy(plan.strategy);
    expect(codeHash).toMatch(/^[0-9a-f]{64}$/);
    const intents = await intentsOf(codeHash);
    expect(intents.length).toBe(ROWS.length);
    expect(intents.map((i) => [i.strategyVersion, i.codeHash])).toEqual(intents.map(() => ['1.0.0', codeHash]));
  });

  it('leaves it off when no hash is given (a definition handed in directly)', async () => {
    const intents = await intentsOf(undefined);
    expect(intents.length).toBe(ROWS.length);
    expect(intents.every((i) => i.codeHash === undefined)).toBe(true);
  });
});
