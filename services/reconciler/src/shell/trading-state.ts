// The reconciler's writes to the trading-state KV: HALTED when drift passes a tolerance, ACTIVE again
// over its own halt once a run booked the missed trades and passed, and (paper trading only, when
// configured) the first ACTIVE after a passing start run.

import type { TypedKv } from '@bourse/bus';
import { tradingStateKey, type TradingState } from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';

const GLOBAL_KEY = tradingStateKey({ kind: 'global' });

export class TradingStateWriter {
  constructor(
    private readonly kv: TypedKv<TradingState>,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes the HALTED state. A scope already HALTED is left as it is (the first reason stands; the
   * report carries this run's). The write uses the revision read, so a concurrent write (an
   * operator) makes it fail rather than be overwritten; it is then read and decided again once.
   * Returns whether this call wrote.
   */
  async halt(state: TradingState): Promise<boolean> {
    const key = tradingStateKey(state.scope);
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await this.kv.get(key);
      if (current?.value.mode === 'HALTED') return false;
      try {
        await this.kv.put(key, state, current ? { expectedRevision: current.revision } : undefined);
        this.logger.warn({ key, reason: state.reason }, 'reconciliation drift: trading HALTED');
        return true;
      } catch (err) {
        if (attempt === 1) throw err;
      }
    }
    return false;
  }

  /**
   * Writes `state` (global ACTIVE) only over a HALTED the reconciler itself wrote (its drift halt):
   * never over an operator's halt, a kill switch's, or a state that is not HALTED. Written with the
   * revision read, so a concurrent write wins. Returns whether this call wrote.
   */
  async resumeOwnHalt(state: TradingState): Promise<boolean> {
    const key = tradingStateKey(state.scope);
    const current = await this.kv.get(key);
    if (current?.value.mode !== 'HALTED' || current.value.setBy !== state.setBy) return false;
    await this.kv.put(key, state, { expectedRevision: current.revision });
    this.logger.warn(
      { key, haltedFor: current.value.reason, reason: state.reason },
      'reconciliation booked the missed trades and passed: trading ACTIVE again',
    );
    return true;
  }

  /**
   * Writes global ACTIVE only when the global key holds nothing. `get` cannot tell a key never
   * written from a deleted one, and the bus has no create-only put: a write landing between the
   * read and this put would be overwritten (see README, "Initial trading state").
   */
  async activateIfUnset(state: TradingState): Promise<boolean> {
    if ((await this.kv.get(GLOBAL_KEY)) !== null) return false;
    await this.kv.put(GLOBAL_KEY, state);
    this.logger.info(
      { key: GLOBAL_KEY, reason: state.reason },
      'trading state ACTIVE written after a passing start run',
    );
    return true;
  }
}
