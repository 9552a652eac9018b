import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeedStatus, Intent, Quote, ReconciliationReport, Trade, type TradingState } from '@bourse/contracts';
import { FUZZ_RUNS, assertPrototypeClean, extremeDecimal, extremeTime } from '@bourse/contracts/testing';
import { builtinStrategy } from '../builtin/registry.js';
import type { InstrumentRef, StrategyConfig } from './types.js';
import { RunnerCore } from './runner-core.js';

// Market data that passes its contracts but carries extreme figures (40 digits, 40 decimals, zero,
// times out of order or at the edges) drives a trading runner: it never throws, and any intent it
// makes satisfies the Intent contract.

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const T0 = 1_700_000_000_000;
const sma: StrategyConfig = {
  id: 'sma',
  definition: builtinStrategy('sma-cross'),
  version: '1.0.0',
  params: { fast: 2, slow: 3, timeframe: '1s', sizing: { kind: 'qty', qty: '1' } },
  instruments: [BTC],
};
const active: TradingState = {
  v: 1,
  scope: { kind: 'global' },
  mode: 'ACTIVE',
  reason: 'open',
  setBy: 'test',
  updatedAt: T0,
};
const reconOk = ReconciliationReport.parse({
  v: 1,
  runId: 'r',
  venue: 'binance',
  trigger: 'start',
  startedAt: T0 - 2_000,
  finishedAt: T0 - 1_000,
  counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
  differences: { orders: [], fills: [], balances: [], positions: [] },
  missedFillsRecovered: [],
  unknownOpenOrders: [],
  drift: { value: '0', tolerance: '10', asset: 'USDT' },
  verdict: 'ok',
});

const time = fc.oneof(
  { weight: 1, arbitrary: extremeTime },
  { weight: 4, arbitrary: fc.integer({ min: T0, max: T0 + 60_000 }) },
);
const base = { v: 1, venue: 'binance', instrument: fc.constantFrom('BTC/USDT', 'ETH/USDT') };

type Step =
  | { kind: 'quote'; m: Quote }
  | { kind: 'trade'; m: Trade }
  | { kind: 'feed'; m: FeedStatus }
  | { kind: 'clock'; t: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc
    .record({
      ...base,
      v: fc.constant(1),
      venue: fc.constant('binance'),
      bidPrice: extremeDecimal,
      bidQty: extremeDecimal,
      askPrice: extremeDecimal,
      askQty: extremeDecimal,
      receivedAt: time,
      venueTime: time,
    })
    .filter((q) => Quote.safeParse(q).success)
    .map((q) => ({ kind: 'quote' as const, m: Quote.parse(q) })),
  fc
    .record({
      ...base,
      v: fc.constant(1),
      venue: fc.constant('binance'),
      venueTradeId: fc.nat().map(String),
      price: extremeDecimal,
      qty: extremeDecimal,
      aggressor: fc.constantFrom('BUY', 'SELL'),
      venueTime: time,
      receivedAt: time,
    })
    .filter((t) => Trade.safeParse(t).success)
    .map((t) => ({ kind: 'trade' as const, m: Trade.parse(t) })),
  fc
    .record({
      v: fc.constant(1),
      venue: fc.constant('binance'),
      instrument: fc.constant('BTC/USDT'),
      state: fc.constantFrom('live', 'stale', 'reset'),
      reason: fc.constant('fuzz'),
      changedAt: time,
    })
    .map((s) => ({ kind: 'feed' as const, m: FeedStatus.parse(s) })),
  time.map((t) => ({ kind: 'clock' as const, t })),
);

describe('runner core under extreme but contract-valid market data', () => {
  it('never throws, and every intent it makes satisfies its contract', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
        let now = T0;
        let n = 0;
        const core = new RunnerCore({
          strategies: [sma],
          clock: { now: () => now },
          ids: { next: () => `i-${++n}` },
          staleAfterMs: 5_000,
        });
        core.onReconReport(reconOk);
        core.onTradingState('global', active);
        core.addInstrument(BTC);
        for (const s of steps) {
          const out =
            s.kind === 'quote'
              ? core.onQuote(s.m)
              : s.kind === 'trade'
                ? core.onTrade(s.m)
                : s.kind === 'feed'
                  ? core.onFeedStatus(s.m, BTC)
                  : ((now = s.t), core.onClock());
          for (const intent of out.intents) expect(Intent.safeParse(intent).success, JSON.stringify(intent)).toBe(true);
        }
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
