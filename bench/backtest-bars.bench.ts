// Bar backtest throughput: sma-cross 10/30 over synthetic daily bars through the whole engine (runner,
// risk gate and OMS cores, simulated venue over the matching engine). Prints bars/s and events/s.
import { builtinStrategy } from '@bourse/strategy';
import { runBacktest, type Bar } from '@bourse/backtest';

const DAY = 86_400_000;
const START = Date.UTC(2000, 0, 3);

/** `n` bars of a wave on a drift, prebuilt so the loop measures the engine, not bar making. */
export function syntheticBars(n: number): Bar[] {
  const bars: Bar[] = [];
  let prev = 100;
  for (let i = 0; i < n; i++) {
    const close = Math.round((100 + i * 0.01 + 8 * Math.sin(i / 7) + 3 * Math.sin(i / 2.3)) * 100) / 100;
    const high = Math.max(prev, close) + 0.25;
    const low = Math.min(prev, close) - 0.25;
    bars.push({
      time: START + i * DAY,
      line: i + 2,
      open: prev.toFixed(2),
      high: high.toFixed(2),
      low: low.toFixed(2),
      close: close.toFixed(2),
      volume: '1000',
      openNum: prev,
      highNum: high,
      lowNum: low,
      closeNum: close,
      volumeNum: 1000,
    } as Bar);
    prev = close;
  }
  return bars;
}

export async function run(): Promise<void> {
  const bars = syntheticBars(20_000);
  const spec = {
    strategy: builtinStrategy('sma-cross'),
    params: { fast: 10, slow: 30, timeframe: '1d', sizing: { kind: 'fraction', fraction: '1' }, mode: 'long-short' },
    symbol: 'BENCH/USD',
    cash: '10000',
    execution: { fill: 'next-open' as const, makerFeeRate: '0.001', takerFeeRate: '0.001', lot: '1', tick: '0.01' },
    longShort: true,
    barMs: DAY,
  };
  await runBacktest(spec, bars.slice(0, 2_000)); // warm-up
  const start = process.hrtime.bigint();
  const result = await runBacktest(spec, bars);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `\nbacktest over bars (sma-cross 10/30, long/short, ${bars.length} bars, ${result.stats.tradeCount} trades)`,
  );
  console.log(`  ${(bars.length / seconds).toFixed(0).padStart(10)} bars/s`);
  console.log(
    `  ${(result.events / seconds).toFixed(0).padStart(10)} events/s (bar prices and intents through the cores)`,
  );
  console.log(`  ${((seconds * 1e6) / bars.length).toFixed(1).padStart(10)} µs per bar`);
}
