import { tradingStateKey, type TradingMode, type TradingState } from '@bourse/contracts';

const SEVERITY: Record<TradingMode, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** The mode that applies to one strategy on one instrument, and why. */
export interface EffectiveMode {
  readonly mode: TradingMode;
  readonly reason: string;
}

/**
 * The trading-state KV as the runner sees it (DESIGN principles 8 and 9). The strictest of the
 * global, instrument and strategy entries applies. A missing global entry counts as HALTED: a runner
 * emits nothing until someone has declared trading ACTIVE (the safe-start rule). Missing instrument
 * and strategy entries add no restriction.
 */
export class TradingGate {
  private readonly entries = new Map<string, TradingState>();

  /** Applies one KV change; `null` when the key was deleted. */
  apply(key: string, value: TradingState | null): void {
    if (value === null) this.entries.delete(key);
    else this.entries.set(key, value);
  }

  modeFor(venueSymbol: string, strategyId: string): EffectiveMode {
    const global = this.entries.get(tradingStateKey({ kind: 'global' }));
    let worst: EffectiveMode =
      global === undefined
        ? { mode: 'HALTED', reason: 'no global trading state is set (safe start)' }
        : { mode: global.mode, reason: `global: ${global.reason}` };
    const scoped = [
      ['instrument', this.entries.get(tradingStateKey({ kind: 'instrument', symbol: venueSymbol }))],
      ['strategy', this.entries.get(tradingStateKey({ kind: 'strategy', strategyId }))],
    ] as const;
    for (const [scope, entry] of scoped) {
      if (entry !== undefined && SEVERITY[entry.mode] > SEVERITY[worst.mode]) {
        worst = { mode: entry.mode, reason: `${scope}: ${entry.reason}` };
      }
    }
    return worst;
  }
}
