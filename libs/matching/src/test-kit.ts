// Shared setup for this package's tests (not part of the public entry).
import { MatchingEngine } from './engine.js';
import type { EngineEvent, EngineOptions, SymbolConfig } from './types.js';

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export const BTCUSDT: SymbolConfig = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  minNotional: '5',
  makerFeeRate: '0.001',
  takerFeeRate: '0.001',
};

export function newEngine(options: Partial<EngineOptions> = {}): {
  engine: MatchingEngine;
  events: EngineEvent[];
  clock: ManualClock;
} {
  const events: EngineEvent[] = [];
  const clock = manualClock();
  const engine = new MatchingEngine({ clock, onEvent: (e) => events.push(e), ...options });
  engine.addSymbol(BTCUSDT);
  return { engine, events, clock };
}

/** An engine with alice and bob funded with 10 BTC and 1,000,000 USDT each. */
export function fundedEngine(options: Partial<EngineOptions> = {}): ReturnType<typeof newEngine> {
  const env = newEngine(options);
  for (const who of ['alice', 'bob', 'carol']) {
    env.engine.deposit(who, 'BTC', '10');
    env.engine.deposit(who, 'USDT', '1000000');
  }
  env.events.length = 0;
  return env;
}
