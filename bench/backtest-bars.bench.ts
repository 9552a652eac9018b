// Figure 4 (bars): sma-cross 10/30 over 1 000 000 synthetic one-minute bars through the whole engine
// (runner, risk gate and OMS cores, the simulated venue over the matching engine), against the
// hand-written loop over the same bars (backtest-data.ts). Capped at a time budget (BENCH_FULL=1 lifts it).
import { runBacktest } from '@bourse/backtest';
import { barAt, capped, handLoopBars, smaSpec } from './backtest-data.js';
import { budgetSeconds, seconds, type Row } from './table.js';

const N = 1_000_000;

export async function figures(): Promise<Row[]> {
  const spec = smaSpec('bars');
  await runBacktest(spec, capped(barAt, 5_000, process.hrtime.bigint() + 10n ** 11n, { n: 0 })); // warm-up
  const counter = { n: 0 };
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(Math.min(budgetSeconds(100), 1e6) * 1e9));
  const result = await runBacktest(spec, capped(barAt, N, deadline, counter));
  const took = seconds(start);
  const n = counter.n;
  const engineRate = n / took;
  handLoopBars(5_000); // warm-up
  const b0 = process.hrtime.bigint();
  const base = handLoopBars(n);
  const baseRate = n / seconds(b0);
  const ratio = engineRate / baseRate;
  return [
    {
      figure: '4',
      name: `backtest sma-cross over ${n} 1m bars`,
      value: engineRate,
      unit: 'bars/s',
      baseline: baseRate,
      baselineName: 'hand loop',
      ratio,
      target: '≥ 0.3×',
      met: ratio >= 0.3,
      notes:
        `${((took * 1e6) / n).toFixed(1)} µs per bar${n < N ? ` (capped by the time budget at ${n} of ${N})` : ''}; ` +
        `engine ${result.stats.tradeCount} round trips, hand loop ${base.trades} fills`,
    },
  ];
}
