import type { Bar } from '../bars/bar.js';
import type { InstrumentRef } from './types.js';
import type { StrategyHost } from './strategy-host.js';

/**
 * What the core asks the shell to fetch: the `bars` closed bars of one timeframe that end at or before
 * `before` (the open time of the first complete live bar: the seam). The shell answers with
 * `RunnerCore.onHistory(request, bars)` or `onHistoryFailed(request, reason)`.
 */
export interface HistoryRequest {
  readonly id: number;
  readonly ref: InstrumentRef;
  readonly timeframeMs: number;
  /** The timeframe as the strategy spelled it (`1m`), for the venue's interval. */
  readonly label: string;
  readonly bars: number;
  /** Exclusive: history bars close at or before this time; live bars open at or after it. */
  readonly before: number;
}

/**
 * The warm-up of one timeframe on one instrument, for the strategies there that declared one. Live
 * complete bars are held back from those strategies until the history has been fed in front of them,
 * so each sees history up to the seam and live bars from it: no gap, no bar twice.
 */
export class TimeframeWarmup {
  phase: 'waiting-seam' | 'requested' | 'done' = 'waiting-seam';
  request: HistoryRequest | undefined;
  readonly held: Bar[] = [];

  constructor(
    readonly timeframeMs: number,
    readonly label: string,
    /** The most bars any of `hosts` asked for: one request serves them all. */
    readonly bars: number,
    readonly hosts: ReadonlySet<StrategyHost>,
  ) {}

  /** True when `host` must not see live bars of this timeframe yet. */
  holds(host: StrategyHost): boolean {
    return this.phase !== 'done' && this.hosts.has(host);
  }

  /**
   * Keeps history that fits the request: closed, of this timeframe and symbol, closing at or before the
   * seam, one per window, oldest first; the newest `bars` of them.
   */
  select(history: readonly Bar[], symbol: string, before: number): Bar[] {
    const byOpen = new Map<number, Bar>();
    for (const bar of history) {
      if (bar.state !== 'closed' || bar.symbol !== symbol || bar.timeframeMs !== this.timeframeMs) continue;
      if (bar.closeTime > before) continue;
      byOpen.set(bar.openTime, bar);
    }
    return [...byOpen.values()].sort((a, b) => a.openTime - b.openTime).slice(-this.bars);
  }
}
