import type { OrderRequest, TradingMode, TradingStateScope } from '@bourse/contracts';

// DESIGN 8: the OMS refuses new exposure unless the trading state is ACTIVE. The global, instrument
// and strategy entries that apply are combined and the most restrictive wins. REDUCING lets through
// only reduce-only orders (the risk gate has checked that they do reduce); HALTED lets nothing through.

/** The trading-state entries that apply to one order; undefined where the KV bucket has no entry. */
export interface TradingModes {
  readonly global: TradingMode | undefined;
  readonly instrument: TradingMode | undefined;
  readonly strategy: TradingMode | undefined;
}

/** The shell's view of the trading-state KV bucket (kept current by a watch). */
export interface TradingStateView {
  /** The modes for a strategy and a venue symbol (`BTCUSDT`, the subject token the KV keys by). */
  modesFor(strategyId: string, venueSymbol: string): TradingModes;
}

export type TradingGateDecision =
  | { readonly allowed: true; readonly mode: TradingMode }
  | {
      readonly allowed: false;
      readonly mode: TradingMode;
      readonly scope: TradingStateScope;
      readonly reason: string;
    };

const SEVERITY: Record<TradingMode, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/**
 * Whether `request` may go to the venue under `modes`. A missing global entry counts as HALTED
 * (an unknown state is not ACTIVE); a missing instrument or strategy entry counts as ACTIVE, since
 * those are written only to restrict. Never throws.
 */
export function checkTradingState(request: OrderRequest, modes: TradingModes): TradingGateDecision {
  const scopes: [TradingStateScope, TradingMode][] = [
    [{ kind: 'global' }, modes.global ?? 'HALTED'],
    [{ kind: 'instrument', symbol: request.venueSymbol }, modes.instrument ?? 'ACTIVE'],
    [{ kind: 'strategy', strategyId: request.strategyId }, modes.strategy ?? 'ACTIVE'],
  ];
  let worst = scopes[0] as [TradingStateScope, TradingMode];
  for (const entry of scopes) if (SEVERITY[entry[1]] > SEVERITY[worst[1]]) worst = entry;
  const [scope, mode] = worst;
  if (mode === 'ACTIVE') return { allowed: true, mode };
  if (mode === 'REDUCING' && request.reduceOnly) return { allowed: true, mode };
  const where = scope.kind === 'global' ? 'global' : scope.kind === 'instrument' ? scope.symbol : scope.strategyId;
  const missing = scope.kind === 'global' && modes.global === undefined ? ' (no global trading state known)' : '';
  return {
    allowed: false,
    mode,
    scope,
    reason:
      mode === 'HALTED'
        ? `trading is HALTED for ${scope.kind} ${where}${missing}`
        : `trading is REDUCING for ${scope.kind} ${where}: only reduce-only orders are accepted`,
  };
}
