// The trading-state KV bucket as the core's TradingStateView, kept current by a watch. A deleted
// entry keeps the last mode held (the stricter reading, as the risk gate does); an operator resumes
// by writing ACTIVE. A missing global entry reads as HALTED in the core (checkTradingState).

import type { KvChange, TypedKv } from '@bourse/bus';
import { tradingStateKey, type TradingMode, type TradingState } from '@bourse/contracts';
import type { TradingModes, TradingStateView } from '@bourse/execution';

export class TradingStateWatch implements TradingStateView {
  private readonly modes = new Map<string, TradingMode>();

  modesFor(strategyId: string, venueSymbol: string): TradingModes {
    return {
      global: this.modes.get('global'),
      instrument: this.modes.get(safeKey({ kind: 'instrument', symbol: venueSymbol })),
      strategy: this.modes.get(safeKey({ kind: 'strategy', strategyId })),
    };
  }

  /** Applies a watched change; returns the mode now held for the key (undefined when none). */
  apply(change: KvChange<TradingState>): TradingMode | undefined {
    if (change.value !== null) this.modes.set(change.key, change.value.mode);
    return this.modes.get(change.key);
  }

  /** Reads the global entry now, so no order is judged before it is known. */
  async prime(kv: TypedKv<TradingState>): Promise<void> {
    const global = await kv.get('global');
    if (global !== null) this.modes.set('global', global.value.mode);
  }
}

function safeKey(scope: Parameters<typeof tradingStateKey>[0]): string {
  try {
    return tradingStateKey(scope);
  } catch {
    // A symbol or strategy that cannot be a key cannot have an entry either.
    return '';
  }
}
