// Figures 4 (quotes) and 6 (the backtest's memory): sma-cross 10/30 on one-minute mid bars over
// 1 000 000 synthetic quotes through the whole engine (runner, risk gate and OMS cores, the simulated
// venue), against the hand-written loop over the same quotes (backtest-data.ts), and the resident
// memory at the 100 000th quote and at the last. Capped at a time budget (BENCH_FULL=1 lifts it).
import { runTickBacktest } from '@bourse/backtest';
import { capped, handLoopQuotes, quoteAt, smaSpec } from './backtest-data.js';
import { budgetSeconds, mib, seconds, type Row } from './table.js';

const N = 1_000_000;
const RSS_FROM = 100_000;
/** Resident memory may grow this much from the 100 000th quote to the last (figure 6's bound). */
const RSS_BOUND_MIB = 32;

export async function figures(): Promise<Row[]> {
  const spec = smaSpec('quotes');
  const none = { n: 0 };
  await runTickBacktest(spec, capped(quoteAt, 30_000, process.hrtime.bigint() + 10n ** 11n, none)); // warm-up
  const counter = { n: 0 };
  let rssAt100k: number | undefined;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(Math.min(budgetSeconds(60), 1e6) * 1e9));
  const result = await runTickBacktest(spec, capped(quoteAt, N, deadline, counter), (n) => {
    if (n === RSS_FROM) rssAt100k = process.memoryUsage().rss;
  });
  const took = seconds(start);
  const rssEnd = process.memoryUsage().rss;
  const n = counter.n;
  const engineRate = n / took;

  handLoopQuotes(30_000); // warm-up
  const b0 = process.hrtime.bigint();
  const base = handLoopQuotes(n);
  const baseRate = n / seconds(b0);
  const ratio = engineRate / baseRate;
  const cappedNote = n < N ? ` (capped by the time budget at ${n} of ${N})` : '';
  const rows: Row[] = [
    {
      figure: '4',
      name: `backtest sma-cross over ${n} quotes`,
      value: engineRate,
      unit: 'quotes/s',
      baseline: baseRate,
      baselineName: 'hand loop',
      ratio,
      target: '≥ 0.3× and ≥ 1M/s',
      met: ratio >= 0.3 && engineRate >= 1e6,
      notes:
        `${((took * 1e6) / n).toFixed(1)} µs per quote${cappedNote}; engine ${result.stats.tradeCount} round trips ` +
        `(${result.events} events incl. decisions), hand loop ${base.trades} fills`,
    },
  ];
  if (rssAt100k !== undefined) {
    const growth = mib(rssEnd - rssAt100k);
    rows.push({
      figure: '6',
      name: `backtest RSS growth, quote ${RSS_FROM} → ${n}`,
      value: growth,
      unit: 'MiB',
      target: `≤ ${RSS_BOUND_MIB} MiB`,
      met: growth <= RSS_BOUND_MIB,
      notes: `RSS ${mib(rssAt100k).toFixed(0)} MiB at quote ${RSS_FROM}, ${mib(rssEnd).toFixed(0)} MiB at the last (quotes made as consumed: the data holds no memory)`,
    });
  } else {
    rows.push({
      figure: '6',
      name: 'backtest RSS growth',
      value: 0,
      unit: 'MiB',
      target: `≤ ${RSS_BOUND_MIB} MiB`,
      notes: `not measured: the run stopped before quote ${RSS_FROM}`,
    });
  }
  return rows;
}
