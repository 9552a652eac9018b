import { dec, type Decimal } from '@bourse/domain';
import type {
  KillSwitchAction,
  KillSwitchTrigger,
  TimeInForce,
  TradingMode,
  TradingStateScope,
} from '@bourse/contracts';
import type { LimitsConfig, SessionWindow } from './limits.js';

// The limits that apply to one (strategy, instrument), with the precedence of limits.ts applied
// and amounts turned into exact decimals. `undefined` means no limit of that kind is configured.

export interface EffectiveLimits {
  readonly strategyId: string;
  readonly instrument: string;
  readonly maxOrderQty?: Decimal;
  readonly maxOrderNotional?: Decimal;
  readonly maxPosition?: Decimal;
  readonly maxAggregatePosition?: Decimal;
  readonly priceBandBps?: Decimal;
  readonly maxQuoteAgeMs?: number;
  /** Absent: trade at any time; empty: never. */
  readonly sessions?: readonly SessionWindow[];
  readonly allowSharedInstrument: boolean;
  readonly maxOpenOrders?: number;
  readonly orderRate?: { readonly maxOrders: number; readonly windowMs: number };
  readonly rejectionCooldown?: { readonly afterRejections: number; readonly cooldownMs: number };
  /** Per P&L asset. */
  readonly maxDailyLoss: Readonly<Record<string, Decimal>>;
  /** Per quote asset: the strategy's gross notional across instruments. */
  readonly maxTotalNotional: Readonly<Record<string, Decimal>>;
  readonly global: {
    readonly maxDailyLoss: Readonly<Record<string, Decimal>>;
    readonly maxOpenOrders?: number;
    /** Per quote asset: every strategy's, across instruments. */
    readonly maxTotalNotional: Readonly<Record<string, Decimal>>;
  };
  readonly defaultTimeInForce: TimeInForce;
  readonly whenGlobalStateMissing: TradingMode;
}

type Layer = Record<string, unknown> | undefined;

/** The first layer (most specific first) that sets `key`. */
function pick<T>(layers: readonly Layer[], key: string): T | undefined {
  for (const layer of layers) {
    if (layer !== undefined && layer[key] !== undefined) return layer[key] as T;
  }
  return undefined;
}

const amount = (s: string | undefined): Decimal | undefined => (s === undefined ? undefined : dec(s));
const amounts = (r: Record<string, string> | undefined): Record<string, Decimal> =>
  Object.fromEntries(Object.entries(r ?? {}).map(([asset, v]) => [asset, dec(v)]));

/** Resolves every limit for one strategy and instrument (most specific wins, key by key); never throws on a validated config. */
export function resolveLimits(config: LimitsConfig, strategyId: string, instrument: string): EffectiveLimits {
  const strategy = config.strategies[strategyId];
  const pair = strategy?.instruments?.[instrument];
  const inst = config.instruments[instrument];
  const d = config.defaults;
  const pairLayers: Layer[] = [pair, strategy, inst, d];
  const strategyLayers: Layer[] = [strategy, d];
  const instrumentLayers: Layer[] = [inst, d];
  return {
    strategyId,
    instrument,
    maxOrderQty: amount(pick(pairLayers, 'maxOrderQty')),
    maxOrderNotional: amount(pick(pairLayers, 'maxOrderNotional')),
    maxPosition: amount(pick(pairLayers, 'maxPosition')),
    priceBandBps: amount(pick(pairLayers, 'priceBandBps')),
    maxQuoteAgeMs: pick(pairLayers, 'maxQuoteAgeMs'),
    sessions: pick(pairLayers, 'sessions'),
    maxAggregatePosition: amount(pick(instrumentLayers, 'maxAggregatePosition')),
    allowSharedInstrument: pick<boolean>(instrumentLayers, 'allowSharedInstrument') ?? true,
    maxOpenOrders: pick(strategyLayers, 'maxOpenOrders'),
    orderRate: pick(strategyLayers, 'orderRate'),
    rejectionCooldown: pick(strategyLayers, 'rejectionCooldown'),
    maxDailyLoss: amounts(pick(strategyLayers, 'maxDailyLoss')),
    maxTotalNotional: amounts(pick(strategyLayers, 'maxTotalNotional')),
    global: {
      maxDailyLoss: amounts(config.global.maxDailyLoss),
      maxOpenOrders: config.global.maxOpenOrders,
      maxTotalNotional: amounts(config.global.maxTotalNotional),
    },
    defaultTimeInForce: config.defaultTimeInForce,
    whenGlobalStateMissing: config.whenGlobalStateMissing,
  };
}

/** Built-in kill-switch triggers, in force where the limits file is silent (both on). */
export const DEFAULT_REJECTION_BURST: RejectionBurstLimit = { count: 5, windowMs: 60_000 };
export const DEFAULT_STALE_FEED_HALT_AFTER_MS = 15_000;

/** `count` rejected or unknown orders of one strategy within `windowMs` halt it; count 0 = off. */
export interface RejectionBurstLimit {
  readonly count: number;
  readonly windowMs: number;
}

/** The rejection-burst trigger of a strategy, key by key: `strategies.<id>.killSwitch` > `defaults.killSwitch` > built-in. */
export function resolveRejectionBurst(config: LimitsConfig, strategyId: string): RejectionBurstLimit {
  const layers = [
    config.strategies[strategyId]?.killSwitch?.rejectionBurst,
    config.defaults.killSwitch?.rejectionBurst,
  ];
  return {
    count: layers.find((l) => l?.count !== undefined)?.count ?? DEFAULT_REJECTION_BURST.count,
    windowMs: layers.find((l) => l?.windowMs !== undefined)?.windowMs ?? DEFAULT_REJECTION_BURST.windowMs,
  };
}

/** What a trip does when no level names an action: daily loss and drift cancel, the others only halt. */
export const DEFAULT_KILL_SWITCH_ACTIONS: Readonly<Record<KillSwitchTrigger, KillSwitchAction>> = {
  'daily-loss': 'halt-and-cancel',
  'reconciliation-drift': 'halt-and-cancel',
  'rejection-burst': 'halt',
  'stale-feed': 'halt',
};

/**
 * The action of a trip of `trigger` in `scope`, the most specific level first: a strategy's
 * `strategies.<id>.killSwitch` > `defaults.killSwitch`; an instrument's `instruments.<BASE/QUOTE>.killSwitch`
 * > `defaults.killSwitch`; the global scope's `global.killSwitch`; then the built-in default.
 */
export function resolveKillSwitchAction(
  config: LimitsConfig,
  trigger: KillSwitchTrigger,
  scope: TradingStateScope,
  instrument?: string,
): KillSwitchAction {
  const key = (
    {
      'daily-loss': 'dailyLossAction',
      'rejection-burst': 'rejectionBurstAction',
      'stale-feed': 'staleFeedAction',
      'reconciliation-drift': 'reconciliationDriftAction',
    } as const
  )[trigger];
  type ActionKey = typeof key;
  const layers: (Partial<Record<ActionKey, KillSwitchAction>> | undefined)[] =
    scope.kind === 'global'
      ? [config.global.killSwitch]
      : scope.kind === 'strategy'
        ? [config.strategies[scope.strategyId]?.killSwitch, config.defaults.killSwitch]
        : [
            instrument === undefined ? undefined : config.instruments[instrument]?.killSwitch,
            config.defaults.killSwitch,
          ];
  for (const layer of layers) {
    const found = layer?.[key];
    if (found !== undefined) return found;
  }
  return DEFAULT_KILL_SWITCH_ACTIONS[trigger];
}

/** The stale-feed bound of an instrument (`BTC/USDT`): `instruments.<symbol>.killSwitch` > `defaults.killSwitch` > built-in; 0 = off. */
export function resolveStaleFeedHaltAfterMs(config: LimitsConfig, instrument: string): number {
  return (
    config.instruments[instrument]?.killSwitch?.staleFeedHaltAfterMs ??
    config.defaults.killSwitch?.staleFeedHaltAfterMs ??
    DEFAULT_STALE_FEED_HALT_AFTER_MS
  );
}
