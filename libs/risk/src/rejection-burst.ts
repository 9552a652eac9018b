import type { OrderStatusUpdate } from '@bourse/contracts';
import type { RejectionBurstLimit } from './limits/resolve.js';
import type { Clock } from './types.js';

// The "burst of API errors or rejections" kill-switch trigger. Counts, per strategy, the status
// updates on EXEC that say an order was refused by the venue (`rejected`) or that its fate is not
// known (`unknown`: a timeout or a lost answer) in a sliding window, and reports a burst when the
// count reaches the strategy's limit.
//
// - Time is the event's own time (capped at now), so a replay of old EXEC history at a first start
//   cannot look like a burst: an event already outside the window when it arrives does not count.
// - Once per burst: the window is emptied when it trips, so the next burst needs `count` new
//   events. That bounds memory (fewer than `count` entries per strategy) and means continued
//   rejections after an operator resumes halt again, while the shell's KillSwitch leaves a scope
//   that is still HALTED alone.
// - The order manager also marks orders `rejected` when it refuses them itself (trading HALTED or
//   REDUCING, a request the venue cannot carry, an order abandoned after an unknown outcome). Those
//   are not API errors (a trading-state refusal follows a halt that already happened, and would
//   otherwise turn a global kill into a strategy halt that outlives the operator's resume), so an
//   update with `rejectedBy: 'bourse'` does not count. One without the field (written before it
//   existed, or by another producer) counts as the venue's: the trigger errs towards halting.

const COUNTED = new Set<OrderStatusUpdate['status']>(['rejected', 'unknown']);
/** How many of the latest reasons the halt reason quotes, and how long each may be. */
const REASONS_QUOTED = 3;
const REASON_MAX_CHARS = 160;

/** A burst that reached its limit: what the kill switch writes for the strategy. */
export interface RejectionBurst {
  readonly strategyId: string;
  readonly count: number;
  readonly windowMs: number;
  /** The latest events' reasons, newest last (status plus the venue's or the OMS's words). */
  readonly lastReasons: readonly string[];
  /** One line for the trading-state entry. */
  readonly reason: string;
}

interface Counted {
  readonly at: number;
  readonly reason: string;
}

/** True when a status update is one the burst counts: a refusal not made by Bourse itself, or an unknown outcome. */
export function isBurstEvent(update: OrderStatusUpdate): boolean {
  return COUNTED.has(update.status) && update.rejectedBy !== 'bourse';
}

export class RejectionBurstDetector {
  private readonly windows = new Map<string, Counted[]>();

  constructor(private readonly clock: Clock) {}

  /**
   * Records one applied (not repeated) status update of `strategyId`; returns the burst it
   * completes, or undefined. A limit with count 0 is off.
   */
  record(update: OrderStatusUpdate, strategyId: string, limit: RejectionBurstLimit): RejectionBurst | undefined {
    if (!isBurstEvent(update)) return undefined;
    if (limit.count <= 0) {
      this.windows.delete(strategyId);
      return undefined;
    }
    const now = this.clock.now();
    // A venue clock ahead of ours must not keep an event in the window longer than it belongs.
    const at = Math.min(update.venueTime, now);
    const since = now - limit.windowMs;
    if (at <= since) return undefined;
    const window = (this.windows.get(strategyId) ?? []).filter((e) => e.at > since);
    window.push({ at, reason: describe(update) });
    if (window.length < limit.count) {
      this.windows.set(strategyId, window);
      return undefined;
    }
    this.windows.delete(strategyId);
    const lastReasons = [...window]
      .sort((a, b) => a.at - b.at)
      .slice(-REASONS_QUOTED)
      .map((e) => e.reason);
    return {
      strategyId,
      count: window.length,
      windowMs: limit.windowMs,
      lastReasons,
      reason:
        `rejection burst: ${window.length} rejected or unknown orders of ${strategyId} within ${limit.windowMs} ms ` +
        `(limit ${limit.count} per ${limit.windowMs} ms); last: ${lastReasons.join('; ')}`,
    };
  }

  /** Events currently counted for a strategy (for tests and status views). */
  pending(strategyId: string): number {
    return this.windows.get(strategyId)?.length ?? 0;
  }
}

function describe(update: OrderStatusUpdate): string {
  const text = `${update.status} ${update.clientOrderId}: ${update.reason ?? 'no reason given'}`;
  return text.length > REASON_MAX_CHARS ? `${text.slice(0, REASON_MAX_CHARS - 1)}…` : text;
}
