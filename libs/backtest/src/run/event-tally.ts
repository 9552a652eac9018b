import type { BarPrice, HandlerName, StrategyDefinition, StrategyInstance } from '@bourse/strategy';
import type { DataHeld } from './spec.js';

/** The market events a strategy can ask for, by the handler that takes them. */
const MARKET_HANDLERS = ['onBar', 'onQuote', 'onTrade'] as const satisfies readonly HandlerName[];

/**
 * Counts the market events that reached the strategy's handlers, to tell a run that fed the strategy
 * nothing it asked for (bars built from trades over quote-only data) from one where it chose not to
 * trade. The instance is wrapped, not changed: the runner core drives it exactly as before.
 */
export class EventTally {
  private readonly received: Record<(typeof MARKET_HANDLERS)[number], number> = { onBar: 0, onQuote: 0, onTrade: 0 };
  private asked: string[] = [];

  watch(definition: StrategyDefinition): StrategyDefinition {
    return {
      ...definition,
      instantiate: (config) => {
        const instance = definition.instantiate(config);
        this.asked = [];
        if ((instance.handles('onBar') || instance.handles('onBars')) && instance.timeframes.length > 0)
          this.asked.push(`${instance.timeframes.map((t) => t.label).join(', ')} bars`);
        if (instance.handles('onQuote')) this.asked.push('quotes');
        if (instance.handles('onTrade')) this.asked.push('trades');
        return this.counting(instance);
      },
    };
  }

  /** The warning for a run whose strategy asked for market events and got none, or undefined. */
  starvedWarning(name: string, held: DataHeld, input: 'bars' | 'ticks', barPrice: BarPrice): string | undefined {
    if (this.asked.length === 0) return undefined;
    if (MARKET_HANDLERS.some((h) => this.received[h] > 0)) return undefined;
    const data = input === 'bars' ? `${held.bars} bars` : `${held.quotes} quotes and ${held.trades} trades`;
    const built =
      barPrice === 'last'
        ? 'bars are built from trades (--bar-price last)'
        : `bars are built from the quotes' ${barPrice} (--bar-price ${barPrice})`;
    const hint =
      input === 'ticks' && barPrice === 'last' && held.trades === 0 && held.quotes > 0
        ? '; to build bars from the quotes, give --bar-price mid (or bid, ask)'
        : '';
    return `strategy ${name} received none of the events it asked for (${this.asked.join('; ')}): the data held ${data}${input === 'ticks' ? `, and ${built}` : ''}${hint}`;
  }

  private counting(instance: StrategyInstance): StrategyInstance {
    const received = this.received;
    // The runner reads the instance's methods on every event: each wrapper is made once per method
    // (again only if the instance's property changes), not per read.
    const wrapped = new Map<PropertyKey, { fn: unknown; wrapper: unknown }>();
    return new Proxy(instance, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const known = wrapped.get(prop);
        if (known !== undefined && known.fn === value) return known.wrapper;
        const fn = value as (...args: unknown[]) => unknown;
        let wrapper: unknown;
        if ((MARKET_HANDLERS as readonly PropertyKey[]).includes(prop)) {
          const handler = prop as (typeof MARKET_HANDLERS)[number];
          wrapper = (...args: unknown[]) => {
            if (target.handles(handler)) received[handler]++;
            return fn.apply(target, args);
          };
        } else {
          wrapper = fn.bind(target);
        }
        wrapped.set(prop, { fn: value, wrapper });
        return wrapper;
      },
    });
  }
}
