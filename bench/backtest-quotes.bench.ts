// Quote backtest throughput: a strategy flipping its position every 50th quote, over synthetic top-of-book quotes,
// through the whole engine. Prints quotes/s (events/s).
import { runTickBacktest, type TickEvent } from '@bourse/backtest';
import { quoteFlipper } from '@bourse/backtest/testing';

/** `n` quotes 100 ms apart: a wandering mid, one-tick spread. */
export function syntheticQuotes(n: number): TickEvent[] {
  const quotes: TickEvent[] = [];
  for (let i = 0; i < n; i++) {
    const mid = 30_000 + Math.round(200 * Math.sin(i / 500) + 20 * Math.sin(i / 17)) / 100;
    quotes.push({
      kind: 'quote',
      time: 1_700_000_000_000 + i * 100,
      bidPrice: (mid - 0.01).toFixed(2),
      askPrice: (mid + 0.01).toFixed(2),
      bidQty: '1.5',
      askQty: '2',
    });
  }
  return quotes;
}

export async function run(): Promise<void> {
  const quotes = syntheticQuotes(50_000);
  const spec = {
    strategy: quoteFlipper(50),
    params: {},
    symbol: 'BTC/USDT',
    cash: '100000',
    execution: { makerFeeRate: '0.001', takerFeeRate: '0.001', lot: '0.00001', tick: '0.01' },
    longShort: false,
    barMs: 60_000,
  };
  await runTickBacktest(spec, quotes.slice(0, 5_000)); // warm-up
  const start = process.hrtime.bigint();
  const result = await runTickBacktest(spec, quotes);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`\nbacktest over quotes (${quotes.length} quotes, ${result.stats.tradeCount} trades)`);
  console.log(`  ${(result.events / seconds).toFixed(0).padStart(10)} events/s (quotes and intents through the cores)`);
  console.log(`  ${((seconds * 1e6) / quotes.length).toFixed(1).padStart(10)} µs per quote`);
}
