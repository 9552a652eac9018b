import type { Bar } from './bars.js';

/**
 * `n` synthetic bars `barMs` apart from `start` whose closes wave (a sine of `period` bars on a slow
 * upward trend), so mean-reversion and crossing rules fire every few dozen bars: a small sample for
 * `bourse strategy check` and the test `bourse strategy new` writes. Two-decimal prices.
 */
export function sampleBars(n: number, barMs: number, start = Date.UTC(2024, 0, 1), period = 40): Bar[] {
  const bars: Bar[] = [];
  let prev = 100;
  for (let i = 0; i < n; i++) {
    const close = Math.round((100 + i * 0.05 + 10 * Math.sin((2 * Math.PI * i) / period)) * 100) / 100;
    const open = prev;
    const high = Math.max(open, close) + 0.5;
    const low = Math.min(open, close) - 0.5;
    const volume = 1000 + i;
    bars.push({
      time: start + i * barMs,
      line: i + 2,
      open: open.toFixed(2),
      high: high.toFixed(2),
      low: low.toFixed(2),
      close: close.toFixed(2),
      volume: String(volume),
      openNum: Number(open.toFixed(2)),
      highNum: Number(high.toFixed(2)),
      lowNum: Number(low.toFixed(2)),
      closeNum: close,
      volumeNum: volume,
    });
    prev = close;
  }
  return bars;
}
