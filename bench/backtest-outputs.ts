// Prints the full results (stats, trades, equity curve, rejections, events, warnings, closeout, data held)
// of a fixed set of backtests as JSON, to check that a change to the engine's hot path changes no
// result: `tsx bench/backtest-outputs.ts > before.json`, change, `… > after.json`, `cmp before.json
// after.json`. Runs: sma-cross over 200 000 synthetic quotes and trade ticks and 20 000 one-minute
// bars, a quote flipper with latency, slippage and spread, and GOOG.csv (from beside the repository,
// or the path given) with three built-in strategies under both fill modes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBarsCsv, runBacktest, runTickBacktest, type BacktestResult, type BacktestSpec } from '@bourse/backtest';
import { quoteFlipper } from '@bourse/backtest/testing';
import { builtinStrategy } from '@bourse/strategy';
import { barAt, capped, quoteAt, smaSpec, tradeAt } from './backtest-data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const goog = process.argv[2] ?? join(root, '..', 'shared', 'data', 'GOOG.csv');
const far = process.hrtime.bigint() + 10n ** 12n;
const dump = (r: BacktestResult) => ({
  stats: r.stats,
  trades: r.trades,
  curve: r.curve,
  rejections: r.rejections,
  events: r.events,
  warnings: r.warnings,
  closeout: r.closeout,
  dataHeld: r.dataHeld,
});

const out: Record<string, unknown> = {};
out.quotesSma = dump(await runTickBacktest(smaSpec('quotes'), capped(quoteAt, 200_000, far, { n: 0 })));
function* trades() {
  for (let i = 0; i < 200_000; i++) {
    const t = tradeAt(i);
    yield { kind: 'trade' as const, time: t.time, price: t.price, qty: t.qty, aggressor: t.side, id: t.id };
  }
}
out.tradesSma = dump(await runTickBacktest(smaSpec('trades'), trades()));
out.barsSma = dump(await runBacktest(smaSpec('bars'), capped(barAt, 20_000, far, { n: 0 })));
out.flipper = dump(
  await runTickBacktest(
    {
      strategy: quoteFlipper(50),
      params: {},
      symbol: 'BTC/USDT',
      cash: '100000',
      execution: {
        makerFeeRate: '0.001',
        takerFeeRate: '0.001',
        lot: '0.00001',
        tick: '0.01',
        latencyMs: 150,
        slippageBps: '2',
        spreadBps: '1',
      },
      longShort: false,
      barMs: 60_000,
    } as BacktestSpec,
    capped(quoteAt, 50_000, far, { n: 0 }),
  ),
);
for (const [fill, longShort] of [
  ['next-open', true],
  ['close', false],
] as const) {
  for (const name of ['sma-cross', 'rsi-threshold', 'bollinger-mean-reversion']) {
    const spec = {
      strategy: builtinStrategy(name),
      params: {
        ...(name === 'sma-cross' ? { fast: 10, slow: 20 } : {}),
        timeframe: '1d',
        sizing: { kind: 'fraction', fraction: '0.9' },
        mode: longShort ? 'long-short' : 'long-only',
      },
      symbol: 'GOOG/USD',
      cash: '10000',
      execution: { fill, makerFeeRate: '0.002', takerFeeRate: '0.002', lot: '1', tick: '0.01', slippageBps: '5' },
      longShort,
      barMs: 86_400_000,
    } as BacktestSpec;
    try {
      out[`goog-${name}-${fill}`] = dump(await runBacktest(spec, readBarsCsv(goog)));
    } catch (error) {
      out[`goog-${name}-${fill}`] = String(error);
    }
  }
}
process.stdout.write(JSON.stringify(out, null, 1));
