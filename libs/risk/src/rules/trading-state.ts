import type { RiskRuleFailure, TradingMode, TradingStateScope } from '@bourse/contracts';
import type { RiskRule } from '../types.js';
import { aggregateExposure, failure, reduces, strategyExposure } from './support.js';

// DESIGN principle 8: nothing new unless every applying scope is ACTIVE. HALTED lets nothing
// through; REDUCING only what brings both the strategy's and the instrument's net position closer
// to flat without flipping it (open orders on the same side counted as filled).

function describeScope(scope: TradingStateScope): string {
  switch (scope.kind) {
    case 'global':
      return 'global';
    case 'instrument':
      return `instrument ${scope.symbol}`;
    case 'strategy':
      return `strategy ${scope.strategyId}`;
  }
}

export const tradingStateRule: RiskRule = (_intent, order, state, limits) => {
  const { global, entries } = state.tradingStatesFor(order.spec.venueSymbol, order.strategyId);
  const modes: { scope: string; mode: TradingMode; reason: string }[] = entries.map((e) => ({
    scope: describeScope(e.scope),
    mode: e.mode,
    reason: e.reason,
  }));
  if (global === undefined) {
    modes.push({ scope: 'global', mode: limits.whenGlobalStateMissing, reason: 'no global trading state is set' });
  }
  const failures: RiskRuleFailure[] = [];
  for (const m of modes) {
    if (m.mode === 'HALTED') failures.push(failure('trading-state', `trading is HALTED for ${m.scope} (${m.reason})`));
  }
  const reducing = modes.filter((m) => m.mode === 'REDUCING');
  if (reducing.length > 0) {
    const own = strategyExposure(order, state);
    const all = aggregateExposure(order, state);
    if (!reduces(own) || !reduces(all)) {
      const [bad, what] = !reduces(own) ? [own, 'strategy position'] : [all, 'net position'];
      const change = bad ? `: ${what} ${bad.before.toString()} would become ${bad.after.toString()}` : '';
      for (const m of reducing) {
        failures.push(
          failure(
            'trading-state',
            `trading is REDUCING for ${m.scope} (${m.reason}); only intents that reduce exposure without flipping it pass${change}`,
            bad?.before.abs(),
            bad?.after.abs(),
          ),
        );
      }
    }
  }
  return failures;
};
