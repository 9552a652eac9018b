import { parentPort, workerData } from 'node:worker_threads';
import { loadStrategy, type LoadedStrategy } from '@bourse/strategy/loader';
import { readBarsCsv, type Bar } from '../data/bars.js';
import { runBacktest } from '../run/run-backtest.js';
import { specFor, type BacktestPlan, type ParamValue } from './plan.js';
import type { SweepJob, SweepReply } from './run-sweep.js';

// A sweep worker thread: reads the bars once, then runs each job the parent sends, one at a time,
// and answers with its statistics. The bars stay in memory for the worker's life: every run of the
// sweep reads them all, and parsing the file again per run would cost more than the run.

const plan = workerData as BacktestPlan;
const port = parentPort!;
let bars: Promise<Bar[]> | undefined;
// The strategy, loaded once per worker by the same loader as the parent (a user's module compiles here).
let strategy: Promise<LoadedStrategy> | undefined;

async function runJob(job: SweepJob): Promise<SweepReply> {
  try {
    bars ??= readBarsCsv(plan.dataPath)
      .toArray()
      .then((r) => r.rows);
    strategy ??= loadStrategy(plan.strategy);
    const loaded = await strategy;
    // The intents carry the code hash as the runner's would (a sweep returns statistics only, though).
    const spec = specFor(plan, job.params as Record<string, ParamValue>, loaded.definition, loaded.codeHash);
    const result = await runBacktest(spec, await bars);
    return { index: job.index, stats: result.stats };
  } catch (err) {
    return { index: job.index, error: err instanceof Error ? err.message : String(err) };
  }
}

port.on('message', (job: SweepJob) => {
  void runJob(job).then((reply) => port.postMessage(reply));
});
