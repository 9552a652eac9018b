// Carries out the core's `trip-kill-switch` effects: HALTED for the scope in the trading-state KV,
// with the reason. Idempotent: a scope already HALTED (in the gate's view or in the KV) is left as
// it is, so the periodic loss check can ask again every second without rewriting the bucket.

import { tradingStateKey, type TradingState, type TradingStateScope } from '@bourse/contracts';
import type { TypedKv } from '@bourse/bus';
import type { Logger } from '@bourse/telemetry';
import type { KillSwitchTrigger } from '../core/risk-gate.js';
import type { RiskGateCore } from '../core/risk-gate-core.js';
import type { Clock } from '../core/types.js';
import type { RiskGateMetrics } from './metrics.js';

export class KillSwitch {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly kv: TypedKv<TradingState>,
    private readonly core: RiskGateCore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: RiskGateMetrics,
    private readonly setBy: string,
  ) {}

  /** Writes HALTED for `scope` unless it is already; resolves true when this call wrote it. */
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
    const halted: TradingState = {
      v: 1,
      scope,
      mode: 'HALTED',
      reason,
      setBy: this.setBy,
      updatedAt: this.clock.now(),
    };
    // With the revision read, a concurrent write (an operator, the reconciler) makes this one fail
    // rather than silently overwrite it; the next check decides again on what is there.
    await this.kv.put(key, halted, current ? { expectedRevision: current.revision } : undefined);
    // Refuse at once; the watch delivers the same entry again, which the state takes as a repeat.
    this.core.onTradingState(halted);
    this.metrics.killSwitchTrips.inc({ scope: scope.kind, trigger });
    this.logger.warn({ scope, key, reason, trigger }, 'kill switch tripped: trading HALTED');
    return true;
  }
}
