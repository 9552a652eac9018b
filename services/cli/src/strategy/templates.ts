// What `bourse strategy new <name>` writes: a strategy file and a test beside it. The strategy imports
// only what a strategy may (the loader hands `@bourse/strategy` and `zod` to it from the platform, so
// the folder needs no node_modules); the test loads it through the same loader and backtests it on
// sample bars.

export function strategyTemplate(name: string): string {
  return `import { z } from 'zod';
import { defineStrategy, Sma, TimeframeLabel, type IntentDraft } from '@bourse/strategy';

// ${name}: buys when the close falls \`band\` below its simple moving average, sells back at the
// average. A strategy sees market state and returns intents; it imports nothing that does I/O (the
// loader refuses node:fs, node:net, fetch, the bus, venues, databases).
export default defineStrategy({
  name: '${name}',
  version: '0.1.0', // recorded on every intent; the strategies file names it too
  params: z.strictObject({
    period: z.number().int().min(2).default(20),
    band: z.number().positive().max(0.5).default(0.03),
    qty: z.string().regex(/^\\d+(\\.\\d+)?$/).default('1'),
    timeframe: TimeframeLabel.default('1m'),
  }),
  timeframes: (p) => [p.timeframe],
  evaluation: { mode: 'event', throttleMs: 0 },
  warmup: (p) => [{ timeframe: p.timeframe, bars: p.period }],
  create(p) {
    const sma = new Sma(p.period);
    return {
      onBar(bar, ctx): IntentDraft[] {
        const mean = sma.update(bar.close);
        if (mean === undefined) return [];
        const held = ctx.position(bar.symbol).qty;
        const inputs = { close: String(bar.close), sma: mean.toFixed(6), barTime: String(bar.openTime) };
        if (held === '0' && bar.close < mean * (1 - p.band)) {
          return [{ instrument: bar.symbol, side: 'BUY', qty: p.qty, style: 'market', inputs }];
        }
        if (held !== '0' && !held.startsWith('-') && bar.close >= mean) {
          return [{ instrument: bar.symbol, side: 'SELL', qty: held, style: 'market', reduceOnly: true, inputs }];
        }
        return [];
      },
    };
  },
});
`;
}

export function testTemplate(name: string): string {
  return `import { describe, expect, it } from 'vitest';
import { runBacktest, sampleBars } from '@bourse/backtest';
import { loadStrategy } from '@bourse/strategy/loader';

// Loads ./${name}.ts as the runner and \`bourse backtest\` do (the same checks) and backtests it on
// sample bars that wave around a trend. It imports the platform's packages, so it runs where they
// resolve: in a folder inside a Bourse checkout (e.g. strategies/ at its root), with
// \`pnpm exec vitest run strategies/${name}.test.ts\`. Elsewhere, \`bourse strategy check\` runs the same
// checks and a backtest.
describe('${name}', () => {
  it('loads and trades on sample bars', async () => {
    const { definition } = await loadStrategy(
      { kind: 'module', module: './${name}.ts', baseDir: import.meta.dirname },
      { params: {} },
    );
    const result = await runBacktest(
      {
        strategy: definition,
        params: {},
        symbol: 'ASSET/USD',
        cash: '10000',
        execution: { lot: '1', tick: '0.01' },
        longShort: false,
        barMs: 60_000,
      },
      sampleBars(300, 60_000),
    );
    expect(result.stats.tradeCount).toBeGreaterThan(0);
  });
});
`;
}
