import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExecutionEvent, FeedStatus, Intent, OrderRequest, Quote, RiskDecision, TradingState } from '@bourse/contracts';
import { FUZZ_RUNS, assertPrototypeClean, extremeDecimal, extremeTime } from '@bourse/contracts/testing';
import { gate } from './test-support.js';

// Messages that pass their contracts but carry extreme figures (40 digits, 40 decimals, zero, times
// at the edges, instruments the gate does not know) fed in any order to the risk gate's core: it
// decides every intent with a contract-valid decision and never throws.

const instrument = fc.constantFrom('BTC/USDT', 'ETH/USDT', 'ZZZ/USDT');
const strategyId = fc.constantFrom('alpha', 'beta');
const side = fc.constantFrom('BUY', 'SELL');
const keep =
  <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }) =>
  (v: unknown) =>
    schema.safeParse(v).success;

const intent = fc
  .record({
    v: fc.constant(1),
    id: fc.string({ minLength: 1, maxLength: 20 }),
    strategyId,
    strategyVersion: fc.constant('1'),
    venue: fc.constant('binance'),
    instrument,
    side,
    qty: extremeDecimal,
    style: fc.constantFrom('limit', 'market'),
    price: extremeDecimal,
    reduceOnly: fc.boolean(),
    inputs: fc.constant({}),
    createdAt: extremeTime,
    expiresAt: extremeTime,
  })
  .map((i) => (i.style === 'market' ? { ...i, price: undefined } : i))
  .filter(keep(Intent))
  .map((i) => Intent.parse(i));

const quote = fc
  .record({
    v: fc.constant(1),
    venue: fc.constant('binance'),
    instrument,
    bidPrice: extremeDecimal,
    bidQty: extremeDecimal,
    askPrice: extremeDecimal,
    askQty: extremeDecimal,
    receivedAt: extremeTime,
  })
  .filter(keep(Quote))
  .map((q) => Quote.parse(q));

const execution = fc
  .oneof(
    fc.record({
      v: fc.constant(1),
      type: fc.constant('fill'),
      eventId: fc.string({ minLength: 1, maxLength: 12 }),
      venue: fc.constant('binance'),
      venueFillId: fc.string({ minLength: 1, maxLength: 12 }),
      clientOrderId: fc.constantFrom('alpha:1:000000000000001', 'unknown-1'),
      venueOrderId: fc.constant('1'),
      instrument,
      side,
      qty: extremeDecimal,
      price: extremeDecimal,
      fee: extremeDecimal,
      feeAsset: fc.constantFrom('USDT', 'BTC', 'BNB'),
      liquidity: fc.constantFrom('maker', 'taker'),
      venueTime: extremeTime,
    }),
    fc.record({
      v: fc.constant(1),
      type: fc.constant('order-status'),
      eventId: fc.string({ minLength: 1, maxLength: 12 }),
      venue: fc.constant('binance'),
      instrument,
      clientOrderId: fc.constantFrom('alpha:1:000000000000001', 'unknown-1'),
      status: fc.constantFrom('new', 'partially-filled', 'filled', 'canceled', 'rejected', 'expired', 'unknown'),
      filledQty: extremeDecimal,
      cumulativeQuoteQty: extremeDecimal,
      venueTime: extremeTime,
    }),
  )
  .filter(keep(ExecutionEvent))
  .map((e) => ExecutionEvent.parse(e));

const tradingState = fc
  .record({
    v: fc.constant(1),
    scope: fc.oneof(
      fc.constant({ kind: 'global' }),
      fc.record({ kind: fc.constant('instrument'), symbol: fc.constantFrom('BTCUSDT', 'ZZZUSDT') }),
      fc.record({ kind: fc.constant('strategy'), strategyId }),
    ),
    mode: fc.constantFrom('ACTIVE', 'REDUCING', 'HALTED'),
    reason: fc.string({ minLength: 1 }),
    setBy: fc.constant('operator'),
    updatedAt: extremeTime,
  })
  .filter(keep(TradingState))
  .map((s) => TradingState.parse(s));

const feedStatus = fc
  .record({
    v: fc.constant(1),
    venue: fc.constant('binance'),
    instrument,
    state: fc.constantFrom('live', 'stale', 'reset'),
    reason: fc.string({ minLength: 1 }),
    changedAt: extremeTime,
  })
  .filter(keep(FeedStatus))
  .map((s) => FeedStatus.parse(s));

type Step =
  | { kind: 'intent'; m: Intent }
  | { kind: 'quote'; m: Quote }
  | { kind: 'exec'; m: ExecutionEvent }
  | { kind: 'state'; m: TradingState }
  | { kind: 'feed'; m: FeedStatus };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: intent.map((m) => ({ kind: 'intent' as const, m })) },
  { weight: 2, arbitrary: quote.map((m) => ({ kind: 'quote' as const, m })) },
  { weight: 2, arbitrary: execution.map((m) => ({ kind: 'exec' as const, m })) },
  { weight: 1, arbitrary: tradingState.map((m) => ({ kind: 'state' as const, m })) },
  { weight: 1, arbitrary: feedStatus.map((m) => ({ kind: 'feed' as const, m })) },
);

describe('risk gate core under extreme but contract-valid messages', () => {
  it('decides every intent with a valid decision (and a valid order when accepted), and never throws', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const core = gate();
        for (const s of steps) {
          switch (s.kind) {
            case 'intent': {
              const r = core.onIntent(s.m);
              expect(RiskDecision.safeParse(r.decision).success, JSON.stringify(r.decision)).toBe(true);
              if (r.decision.outcome === 'accepted') {
                const order = OrderRequest.safeParse(r.orderRequest);
                expect(order.success, JSON.stringify(r.orderRequest)).toBe(true);
                accepted += 1;
              } else expect(r.decision.failures?.length).toBeGreaterThan(0);
              break;
            }
            case 'quote':
              core.onQuote(s.m);
              break;
            case 'exec':
              core.onExecutionEvent(s.m);
              break;
            case 'state':
              core.onTradingState(s.m);
              break;
            case 'feed':
              core.onFeedStatus((s.m.instrument ?? 'BTC/USDT').replace('/', ''), s.m);
              break;
          }
        }
        core.checkKillSwitch();
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
    // The extremes must not crowd out plain orders: some intents get through.
    expect(accepted).toBeGreaterThan(0);
  });
});
