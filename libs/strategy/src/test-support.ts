import { type Decimal, ZERO, dec } from '@bourse/domain';
import type { Bar } from './bars/bar.js';
import { snapshotContext, type ContextSnapshot } from './sdk/context.js';
import type { Clock, IntentDraft, StrategyInstance } from './types.js';

// Shared by this package's tests: synthetic bars, a settable clock, and a driver that fills every
// market draft at once at the bar's close so a test can follow the position a strategy builds.

export const SYMBOL = 'BTC/USDT';
export const MINUTE = 60_000;
export const T0 = 1_700_000_040_000; // a whole minute

export class ManualClock implements Clock {
  constructor(public time = T0) {}
  now(): number {
    return this.time;
  }
}

export function closedBar(index: number, close: number, opts: { symbol?: string; timeframeMs?: number } = {}): Bar {
  const tf = opts.timeframeMs ?? MINUTE;
  const openTime = T0 + index * tf;
  return {
    symbol: opts.symbol ?? SYMBOL,
    timeframeMs: tf,
    openTime,
    closeTime: openTime + tf,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    tradeCount: 1,
    state: 'closed',
  };
}

export interface Decision {
  readonly index: number;
  readonly drafts: readonly IntentDraft[];
}

/**
 * Feeds closes as closed 1m bars; every draft fills in full at the close (quoteQty at quoteQty/close,
 * to 8 places), moving the position the next bar sees. Equity is cash plus the position at the close.
 */
export function driveCloses(
  instance: StrategyInstance,
  closes: readonly number[],
  opts: { cash?: string; positionQty?: string } = {},
): { decisions: Decision[]; position: Decimal } {
  let position = dec(opts.positionQty ?? '0');
  let cash = dec(opts.cash ?? '0');
  const clock = new ManualClock();
  const decisions: Decision[] = [];
  closes.forEach((close, index) => {
    const bar = closedBar(index, close);
    clock.time = bar.closeTime;
    const price = dec(String(close));
    const snapshot: ContextSnapshot = {
      positions: { [SYMBOL]: { qty: position.toString() } },
      equity: cash.plus(position.times(price)).toString(),
      cash: cash.toString(),
    };
    const drafts = instance.onBar(bar, snapshotContext(snapshot, clock));
    for (const d of drafts) {
      const qty = d.qty !== undefined ? dec(d.qty) : dec(d.quoteQty ?? '0').div(price, 8, 'down');
      const signed = d.side === 'BUY' ? qty : qty.neg();
      position = position.plus(signed);
      cash = cash.minus(signed.times(price));
    }
    if (drafts.length > 0) decisions.push({ index, drafts });
  });
  return { decisions, position: position.eq(ZERO) ? ZERO : position };
}
