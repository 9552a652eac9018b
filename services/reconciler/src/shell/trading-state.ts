// The reconciler's writes to the trading-state KV: HALTED when drift passes a tolerance, ACTIVE again
// over its own halt once a run booked the missed trades and passed, and (paper trading only, when
// configured) the first ACTIVE after a passing start run. The drift halt is a kill-switch trip: its
// configured action (`halt-and-cancel` by default, from the risk limits'
// `global.killSwitch.reconciliationDriftAction`, handed over by `bourse start`) may also cancel every
// open order of the scope through the order manager's cancel-all, recorded on the HALTED entry.

import { recordTripCancel, type TypedKv } from '@bourse/bus';
import {
  tradingStateKey,
  type KillSwitchAction,
  type KillSwitchCancel,
  type TradingState,
  type TradingStateScope,
} from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';

export interface DriftTrip {
  readonly action: KillSwitchAction;
  /** The order manager's cancel-all for the scope; never throws. */
  cancelAll(scope: TradingStateScope): Promise<KillSwitchCancel>;
  /** Told each cancel's answer (metrics). */
  onCancel(cancel: KillSwitchCancel): void;
}

const GLOBAL_KEY = tradingStateKey({ kind: 'global' });

export class TradingStateWriter {
  constructor(
    private readonly kv: TypedKv<TradingState>,
    private readonly logger: Logger,
    private readonly drift?: DriftTrip,
  ) {}

  /**
   * Writes the HALTED state. A scope already HALTED is left as it is (the first reason stands; the
   * report carries this run's). The write uses the revision read, so a concurrent write (an
   * operator) makes it fail rather than be overwritten; it is then read and decided again once.
   * Returns whether this call wrote.
   */
  async halt(drifted: TradingState): Promise<boolean> {
    const key = tradingStateKey(drifted.scope);
    const action = this.drift?.action ?? 'halt';
    const state: TradingState = {
      ...drifted,
      reason: `${drifted.reason} (reconciliation-drift: ${action})`,
      trip: { trigger: 'reconciliation-drift', action, trippedAt: drifted.updatedAt },
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await this.kv.get(key);
      if (current?.value.mode === 'HALTED') return false;
      try {
        await this.kv.put(key, state, current ? { expectedRevision: current.revision } : undefined);
      } catch (err) {
        if (attempt === 1) throw err;
        continue;
      }
      this.logger.warn({ key, reason: state.reason, action }, `reconciliation drift: trading HALTED (${action})`);
      if (this.drift !== undefined && action === 'halt-and-cancel') await this.cancel(this.drift, state);
      return true;
    }
    return false;
  }

  private async cancel(drift: DriftTrip, state: TradingState): Promise<void> {
    const cancel = await drift.cancelAll(state.scope);
    drift.onCancel(cancel);
    const log = { scope: state.scope, canceled: cancel.canceled, failed: cancel.failed };
    if (cancel.ok) this.logger.warn(log, `reconciliation drift: canceled ${cancel.canceled.length} open order(s)`);
    else this.logger.error(log, 'reconciliation drift: cancel-all failed; orders may still rest at the venue');
    try {
      await recordTripCancel(this.kv, state.scope, state.updatedAt, cancel);
    } catch (err) {
      this.logger.error({ err, scope: state.scope }, 'could not record the drift cancel on the trading state');
    }
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
