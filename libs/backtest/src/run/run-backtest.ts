import type { Bar } from '../data/bars.js';
import { BacktestEngine } from './backtest-engine.js';
import type { BacktestResult, BacktestSpec, TickEvent } from './spec.js';

// The backtest engine: the strategy-runner, risk-gate and OMS cores, unchanged, wired in one process
// to the simulated venue (SimVenue over libs/matching) and one virtual clock. The files beside this
// one hold the wiring (cores.ts), the order of events (backtest-engine.ts), the order path
// (order-path.ts), what the cores are fed (core-feed.ts) and the result (result.ts, closeout.ts,
// equity-curve.ts); every decision is made by a core.

/** Runs one backtest over bars (in time order, one pass). */
export async function runBacktest(
  spec: BacktestSpec,
  bars: AsyncIterable<Bar> | Iterable<Bar>,
  onBar?: (count: number) => void,
): Promise<BacktestResult> {
  const engine = new BacktestEngine(spec, 'bars');
  for await (const bar of bars) await engine.onBar(bar, onBar);
  return engine.finish();
}

/**
 * Runs one backtest over quote and trade ticks (from tick files or a capture). `spec.barMs` is then the
 * equity curve's period (one point per period, the latest tick's mark) and what bars the strategy asks
 * for are built by the runner from the trades, or from the quotes with `spec.barPrice` mid, bid or ask.
 */
export async function runTickBacktest(
  spec: BacktestSpec,
  ticks: AsyncIterable<TickEvent> | Iterable<TickEvent>,
  onTick?: (count: number) => void,
): Promise<BacktestResult> {
  const engine = new BacktestEngine(spec, 'ticks');
  let n = 0;
  for await (const t of ticks) {
    if (t.kind === 'quote') await engine.onQuoteTick(t.time, t.bidPrice, t.askPrice, t.bidQty, t.askQty);
    else await engine.onTradeTick(t.time, t.price, t.qty, t.aggressor, t.id);
    if (onTick !== undefined && ++n % 1000 === 0) onTick(n);
  }
  return engine.finish();
}
