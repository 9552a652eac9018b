import type { Bar } from '../bars/bar.js';
import type { UnitBars } from '../types.js';

/** Windows one timeframe may hold open while waiting for the slower instruments' bars. */
const MAX_OPEN_WINDOWS = 1064; // a warm-up (MAX_WARMUP_BARS) fed leg by leg, and some

/**
 * Lines up the closed bars of a unit's instruments by time: a window (timeframe, open time) is handed
 * on once every instrument of the unit has closed its bar of that window. A window that can no longer
 * complete (an instrument has already closed a later bar without one for it: no trade in the window)
 * is dropped and counted; so is the oldest when more than MAX_OPEN_WINDOWS wait. Bars of one instrument
 * come in time order (the market desk's rule), which is what makes "later" final.
 */
export class BarAligner {
  private readonly open = new Map<number, Map<number, Map<string, Bar>>>();
  private readonly lastOpen = new Map<string, number>();
  private droppedWindows = 0;

  constructor(private readonly instruments: readonly string[]) {}

  /** Windows dropped because an instrument had no bar in them. */
  get dropped(): number {
    return this.droppedWindows;
  }

  /** A closed bar of one of the instruments; returns the windows it completed (at most one). */
  add(bar: Bar): UnitBars[] {
    const windows = this.open.get(bar.timeframeMs) ?? new Map<number, Map<string, Bar>>();
    this.open.set(bar.timeframeMs, windows);
    this.lastOpen.set(`${bar.timeframeMs}|${bar.symbol}`, bar.openTime);
    const window = windows.get(bar.openTime) ?? new Map<string, Bar>();
    windows.set(bar.openTime, window);
    window.set(bar.symbol, bar);
    const out: UnitBars[] = [];
    if (window.size === this.instruments.length) {
      windows.delete(bar.openTime);
      const bars: Record<string, Bar> = {};
      for (const symbol of this.instruments) bars[symbol] = window.get(symbol)!;
      out.push(
        Object.freeze({
          timeframeMs: bar.timeframeMs,
          openTime: bar.openTime,
          closeTime: bar.closeTime,
          bars: Object.freeze(bars),
        }),
      );
    }
    this.prune(bar.timeframeMs, windows);
    return out;
  }

  private prune(timeframeMs: number, windows: Map<number, Map<string, Bar>>): void {
    for (const [openTime, window] of windows) {
      const dead = this.instruments.some(
        (s) => !window.has(s) && (this.lastOpen.get(`${timeframeMs}|${s}`) ?? -Infinity) > openTime,
      );
      if (dead) {
        windows.delete(openTime);
        this.droppedWindows++;
      }
    }
    while (windows.size > MAX_OPEN_WINDOWS) {
      const oldest = Math.min(...windows.keys());
      windows.delete(oldest);
      this.droppedWindows++;
    }
  }
}
