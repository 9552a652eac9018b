// Carries out the core's `trip-kill-switch` effects: HALTED for the scope in the trading-state KV,
// with the reason and the trip (trigger, action). Idempotent: a scope already HALTED (in the gate's
// view or in the KV) is left as it is, so the periodic loss check can ask again every second without
// rewriting the bucket. A trip whose configured action is `halt-and-cancel` then asks the order
// manager to cancel every open order of the scope (its cancel-all, as an operator's kill does) and
// records what was canceled on the HALTED entry, in a log line and in metrics.

import {
  tradingStateKey,
  type KillSwitchAction,
  type KillSwitchCancel,
  type TradingState,
  type TradingStateScope,
} from '@bourse/contracts';
import type { TypedKv } from '@bourse/bus';
import type { Logger } from '@bourse/telemetry';
import type { Clock, KillSwitchTrigger, RiskGateCore } from '@bourse/risk';
import type { RiskGateMetrics } from './metrics.js';

export interface KillSwitchCancels {
  /** The configured action of a trip of `trigger` in `scope`. */
  actionFor(trigger: KillSwitchTrigger, scope: TradingStateScope): KillSwitchAction;
  /** Asks the order manager to cancel every open order of `scope`; never throws. */
  cancelAll(scope: TradingStateScope): Promise<KillSwitchCancel>;
  /** Writes the cancel's answer onto the trip's HALTED entry, if it is still there. */
  record(scope: TradingStateScope, trippedAt: number, cancel: KillSwitchCancel): Promise<boolean>;
}

export class KillSwitch {
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly pendingCancels = new Set<Promise<void>>();

  constructor(
    private readonly kv: TypedKv<TradingState>,
    private readonly core: RiskGateCore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: RiskGateMetrics,
    private readonly setBy: string,
    private readonly cancels: KillSwitchCancels,
  ) {}

  /** Writes HALTED for `scope` unless it is already; resolves true when this call wrote it (and, if configured, canceled). */
  trip(scope: TradingStateScope, reason: string, trigger: KillSwitchTrigger): Promise<boolean> {
    const key = tradingStateKey(scope);
    const running = this.inFlight.get(key);
    if (running) return running;
    const attempt = this.write(key, scope, reason, trigger).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  private async write(
    key: string,
    scope: TradingStateScope,
    reason: string,
    trigger: KillSwitchTrigger,
  ): Promise<boolean> {
    if (this.core.state.tradingState(scope)?.mode === 'HALTED') return false;
    const current = await this.kv.get(key);
    if (current?.value.mode === 'HALTED') {
      this.core.onTradingState(current.value);
      return false;
    }
    const action = this.cancels.actionFor(trigger, scope);
    const trippedAt = this.clock.now();
    const halted: TradingState = {
      v: 1,
      scope,
      mode: 'HALTED',
      reason: `${reason} (${trigger}: ${action})`,
      setBy: this.setBy,
      updatedAt: trippedAt,
      trip: { trigger, action, trippedAt },
    };
    // With the revision read, a concurrent write (an operator, the reconciler) makes this one fail
    // rather than silently overwrite it; the next check decides again on what is there.
    await this.kv.put(key, halted, current ? { expectedRevision: current.revision } : undefined);
    // Refuse at once; the watch delivers the same entry again, which the state takes as a repeat.
    this.core.onTradingState(halted);
    this.metrics.killSwitchTrips.inc({ scope: scope.kind, trigger });
    this.logger.warn({ scope, key, reason, trigger, action }, `kill switch tripped: trading HALTED (${action})`);
    // Not awaited: the cancels take the venue's time, and the decision that tripped (or the periodic
    // check) must not wait for them; the scope refuses new orders already.
    if (action === 'halt-and-cancel') {
      const pending = this.cancel(scope, trigger, trippedAt).finally(() => this.pendingCancels.delete(pending));
      this.pendingCancels.add(pending);
    }
    return true;
  }

  /** Resolves once every cancel a trip started has answered (shutdown waits for them). */
  async settled(): Promise<void> {
    await Promise.all([...this.pendingCancels]);
  }

  private async cancel(scope: TradingStateScope, trigger: KillSwitchTrigger, trippedAt: number): Promise<void> {
    try {
      await this.cancelAndRecord(scope, trigger, trippedAt);
    } catch (err) {
      this.logger.error({ err, scope, trigger }, 'kill-switch cancel failed');
    }
  }

  private async cancelAndRecord(
    scope: TradingStateScope,
    trigger: KillSwitchTrigger,
    trippedAt: number,
  ): Promise<void> {
    const cancel = await this.cancels.cancelAll(scope);
    this.metrics.killSwitchCancels.inc({ trigger, outcome: cancel.ok ? 'ok' : 'failed' });
    this.metrics.killSwitchCanceledOrders.inc({ trigger }, cancel.canceled.length);
    const log = { scope, trigger, canceled: cancel.canceled, failed: cancel.failed };
    if (cancel.ok) this.logger.warn(log, `kill switch canceled ${cancel.canceled.length} open order(s)`);
    else this.logger.error(log, 'kill switch cancel-all failed; orders may still rest at the venue');
    try {
      await this.cancels.record(scope, trippedAt, cancel);
    } catch (err) {
      // The HALTED entry stands; only the record of what was canceled is missing from it.
      this.logger.error({ err, scope, trigger }, 'could not record the kill-switch cancel on the trading state');
    }
  }
}
