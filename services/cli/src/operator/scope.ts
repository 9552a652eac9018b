// The scope an operator command acts on, from its flags: global unless --instrument or --strategy
// names one (never both: a trading-state entry has exactly one scope).
import { subjectToken, tradingStateKey, type TradingStateScope } from '@bourse/contracts';
import { UsageError } from '../errors.js';

export interface ScopeFlags {
  readonly instrument?: string | undefined;
  readonly strategy?: string | undefined;
}

export function scopeFrom(flags: ScopeFlags): TradingStateScope {
  if (flags.instrument !== undefined && flags.strategy !== undefined) {
    throw new UsageError(
      `${flags.instrument} ${flags.strategy}`,
      'give --instrument or --strategy, not both (each trading-state entry has one scope)',
    );
  }
  if (flags.instrument !== undefined) {
    // `BTC/USDT` and `btcusdt` mean the venue symbol BTCUSDT, the subject token the state is keyed by.
    const symbol = flags.instrument.replace('/', '').toUpperCase();
    if (!/^[A-Z0-9]{2,30}$/.test(symbol)) {
      throw new UsageError(
        flags.instrument,
        `--instrument "${flags.instrument}" is not a symbol such as BTCUSDT or BTC/USDT`,
      );
    }
    return { kind: 'instrument', symbol };
  }
  if (flags.strategy !== undefined) {
    try {
      return { kind: 'strategy', strategyId: subjectToken('strategyId', flags.strategy) };
    } catch {
      throw new UsageError(
        flags.strategy,
        `--strategy "${flags.strategy}" is not a strategy id (letters, digits, "_", "-")`,
      );
    }
  }
  return { kind: 'global' };
}

/** `global`, `instrument BTCUSDT`, `strategy sma-btc`. */
export function describeScope(scope: TradingStateScope): string {
  switch (scope.kind) {
    case 'global':
      return 'global';
    case 'instrument':
      return `instrument ${scope.symbol}`;
    case 'strategy':
      return `strategy ${scope.strategyId}`;
  }
}

export { tradingStateKey };
