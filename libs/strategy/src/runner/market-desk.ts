import type { FeedStatus, Quote, Trade } from '@bourse/contracts';
import { windowStart, type Bar, type BarPrice } from '../bars/bar.js';
import { MultiTimeframeBars } from '../bars/multi-timeframe.js';
import { BarRejectedError } from './errors.js';
import type { InstrumentRef } from './types.js';

/** Why market data cannot be acted on right now. */
export type FeedBlock = 'no-market-data' | 'feed-stale' | 'feed-reset' | 'incomplete-bars';

/**
 * The market state of one instrument, shared by every strategy that trades it: the latest quote, the
 * bars of every timeframe any of them asked for (built once, from trades or — `barPrice` mid, bid or
 * ask — from quotes), and whether the feed can be trusted.
 *
 * "Valid again" after a reset (and at start, which is treated as one): the earlier quote and forming
 * bars are dropped; the feed is valid again once a quote or trade has arrived after the reset and, for
 * a strategy that uses bars, a bar of each of its timeframes has closed that was built only from
 * post-reset trades (quotes, for quote bars): its window opened at or after the venue time of the first
 * post-reset trade (quote). Bars
 * that opened earlier may miss trades and are dropped, never shown to a strategy.
 *
 * What counts as "after the reset" is decided by the gateway's clock: data it received (`receivedAt`)
 * before the reset's `changedAt` is ignored, whatever order the runner handles the messages in.
 *
 * Stale: the newest quote or trade was received (gateway `receivedAt`) more than `staleAfterMs` ago,
 * or the gateway said `stale`; fresh data received afterwards clears it.
 */
export class MarketDesk {
  private bars: MultiTimeframeBars;
  private latestQuote: Quote | undefined;
  private lastDataAt: number | undefined;
  /** True from a reset (or the start) until a quote or trade arrives. */
  private awaitingData = true;
  private resetReason = 'starting';
  /** Gateway time of the last reset: data the gateway received before it belongs to the dropped state. */
  private resetAt = Number.NEGATIVE_INFINITY;
  private statusStale: string | undefined;
  /** Venue time of the first trade after the last reset; bars opening before it are incomplete. */
  private completeFrom: number | undefined;
  private readonly completeTimeframes = new Set<number>();
  private droppedBars = 0;
  /** Timeframes whose closed bars are handed in whole (onClosedBar); the builder's own are then dropped. */
  private readonly externalTimeframes = new Set<number>();
  /** Close time of the last bar let through, per timeframe: a later bar must not open before it. */
  private readonly lastClose = new Map<number, number>();

  constructor(
    readonly ref: InstrumentRef,
    readonly timeframesMs: readonly number[],
    private readonly staleAfterMs: number,
    readonly barPrice: BarPrice = 'last',
  ) {
    this.bars = new MultiTimeframeBars(ref.symbol, timeframesMs, barPrice);
  }

  get quote(): Quote | undefined {
    return this.latestQuote;
  }

  /** Bars dropped because they may have missed trades around a reset. */
  get incompleteBarsDropped(): number {
    return this.droppedBars;
  }

  /**
   * A quote, live or from a snapshot; one older than held, or from before the last reset, is ignored.
   * Returns the complete bars it closed when bars are built from quotes (at the venue's time when the
   * quote carries one, else the gateway's); `bars: false` for a snapshot, which starts no bar.
   */
  onQuote(quote: Quote, { bars = true }: { readonly bars?: boolean } = {}): Bar[] {
    if (quote.receivedAt < this.resetAt) return [];
    if (this.latestQuote !== undefined && quote.receivedAt < this.latestQuote.receivedAt) return [];
    this.latestQuote = quote;
    this.sawData(quote.receivedAt);
    if (this.barPrice === 'last' || !bars) return [];
    const at = quote.venueTime ?? quote.receivedAt;
    const closed = this.bars.onQuote(Number(quote.bidPrice), Number(quote.askPrice), at);
    this.completeFrom ??= at;
    return this.keepComplete(closed);
  }

  /** Applies a trade; returns the complete bars it closed. Throws as BarBuilder does on a bad number. */
  onTrade(trade: Trade): Bar[] {
    // Subscriptions are handled concurrently, so a trade from before a reset can be handled after it.
    if (trade.receivedAt < this.resetAt) return [];
    if (this.barPrice !== 'last') {
      this.sawData(trade.receivedAt);
      return [];
    }
    const closed = this.bars.onTrade(Number(trade.price), Number(trade.qty), trade.venueTime);
    this.completeFrom ??= trade.venueTime;
    this.sawData(trade.receivedAt);
    return this.keepComplete(closed);
  }

  /**
   * A closed bar built elsewhere (the backtester's data), taken as if this desk's builder had closed
   * it: it counts as complete and as data received at its close time. From then on the builder's own
   * bars of that timeframe are dropped, since they would repeat it. Returns the bar to deliver (none
   * when it closed before the last reset); throws BarRejectedError for a bar that cannot be one.
   */
  onClosedBar(bar: Bar): Bar[] {
    const problem = this.barProblem(bar);
    if (problem !== undefined) throw new BarRejectedError(`bar rejected: ${problem}`, bar);
    if (bar.closeTime < this.resetAt) return [];
    this.externalTimeframes.add(bar.timeframeMs);
    this.completeFrom ??= bar.openTime;
    this.completeTimeframes.add(bar.timeframeMs);
    this.lastClose.set(bar.timeframeMs, bar.closeTime);
    this.sawData(bar.closeTime);
    return [bar];
  }

  /**
   * Open time of the first bar of `timeframeMs` that will count as complete (the seam between venue
   * history and live bars), once data has arrived since the last reset; undefined before.
   */
  seam(timeframeMs: number): number | undefined {
    if (this.completeFrom === undefined) return undefined;
    return windowStart(this.completeFrom + timeframeMs - 1, timeframeMs);
  }

  onFeedStatus(status: FeedStatus): void {
    switch (status.state) {
      case 'reset':
        if (status.changedAt < this.resetAt) return;
        this.resetAt = status.changedAt;
        this.reset(status.reason ?? 'feed reset');
        return;
      case 'stale':
        this.statusStale = status.reason ?? 'feed stale';
        return;
      case 'live':
        this.statusStale = undefined;
        return;
    }
  }

  /** Closes bars whose window has ended by `now`; returns the complete ones. */
  onClock(now: number): Bar[] {
    return this.keepComplete(this.bars.onClock(now));
  }

  /** Why decisions must wait, for a strategy using `timeframes` (ms), or undefined when they may go ahead. */
  block(now: number, timeframes: readonly number[]): { reason: FeedBlock; detail: string } | undefined {
    if (this.awaitingData) {
      return this.resetReason === 'starting'
        ? { reason: 'no-market-data', detail: 'no quote or trade received yet' }
        : { reason: 'feed-reset', detail: `feed reset (${this.resetReason}); waiting for fresh data` };
    }
    if (this.statusStale !== undefined) return { reason: 'feed-stale', detail: this.statusStale };
    if (this.lastDataAt === undefined || now - this.lastDataAt > this.staleAfterMs) {
      const age = this.lastDataAt === undefined ? 'never' : `${now - this.lastDataAt} ms ago`;
      return { reason: 'feed-stale', detail: `last market data ${age} (limit ${this.staleAfterMs} ms)` };
    }
    const missing = timeframes.filter((tf) => !this.completeTimeframes.has(tf));
    if (missing.length > 0) {
      return {
        reason: 'incomplete-bars',
        detail: `waiting for a complete ${missing.map((m) => `${m} ms`).join(', ')} bar since ${this.resetReason}`,
      };
    }
    return undefined;
  }

  /** When a forming bar closes by the clock: the one time-driven change here. */
  nextWakeAt(): number | undefined {
    let next: number | undefined;
    for (const tf of this.timeframesMs) {
      const forming = this.bars.forming(tf);
      if (forming !== undefined) next = Math.min(next ?? forming.closeTime, forming.closeTime);
    }
    return next;
  }

  private reset(reason: string): void {
    // Everything built before the gap may be wrong: the book moved, trades may be missing.
    this.bars = new MultiTimeframeBars(this.ref.symbol, this.timeframesMs, this.barPrice);
    this.latestQuote = undefined;
    this.awaitingData = true;
    this.resetReason = reason;
    this.completeFrom = undefined;
    this.completeTimeframes.clear();
  }

  private sawData(receivedAt: number): void {
    this.lastDataAt = Math.max(this.lastDataAt ?? receivedAt, receivedAt);
    this.statusStale = undefined;
    this.awaitingData = false;
  }

  private keepComplete(closed: Bar[]): Bar[] {
    if (closed.length === 0) return closed;
    const kept: Bar[] = [];
    for (const bar of closed) {
      if (this.externalTimeframes.has(bar.timeframeMs)) continue;
      if (this.completeFrom === undefined || bar.openTime < this.completeFrom) {
        this.droppedBars++;
        continue;
      }
      this.completeTimeframes.add(bar.timeframeMs);
      this.lastClose.set(bar.timeframeMs, bar.closeTime);
      kept.push(bar);
    }
    return kept;
  }

  private barProblem(bar: Bar): string | undefined {
    if (bar.state !== 'closed') return `bar is ${String(bar.state)}, not closed`;
    if (bar.symbol !== this.ref.symbol) return `bar is of ${bar.symbol}, not ${this.ref.symbol}`;
    if (!this.timeframesMs.includes(bar.timeframeMs)) {
      return `no strategy on ${this.ref.symbol} uses timeframe ${bar.timeframeMs} ms`;
    }
    if (
      windowStart(bar.openTime, bar.timeframeMs) !== bar.openTime ||
      bar.closeTime !== bar.openTime + bar.timeframeMs
    ) {
      return `bar window ${bar.openTime}..${bar.closeTime} is not one ${bar.timeframeMs} ms window aligned to the epoch`;
    }
    const last = this.lastClose.get(bar.timeframeMs);
    if (last !== undefined && bar.openTime < last) {
      return `bar opening at ${bar.openTime} is not after the last bar delivered (closed at ${last})`;
    }
    return undefined;
  }
}
