import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, OrderRequest } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { DAY_MS } from './daily-pnl.js';
import { EXTERNAL_STRATEGY, RiskState, type BalanceSnapshot } from './risk-state.js';
import { T0, VENUE, fill, orderRequest, quote, stateView as view, status, tradingState } from './test-support.js';

const BALANCES: BalanceSnapshot = {
  asOf: T0 - 2 * DAY_MS,
  balances: { USDT: { free: dec('100000'), locked: dec('0') }, BTC: { free: dec('10'), locked: dec('0') } },
};

describe('RiskState', () => {
  it('holds an accepted order in flight until its first execution event, then open until terminal', () => {
    const s = new RiskState({ venue: VENUE });
    const order = orderRequest({ qty: '0.2', price: '50000' });
    s.recordAccepted(order);
    expect(s.openOrders().map((o) => o.eventSeen)).toEqual([false]);
    expect(s.committed('USDT').toString()).toBe('10000');
    s.applyExecutionEvent(status(order.clientOrderId, 'new'));
    expect(s.openOrders().map((o) => o.eventSeen)).toEqual([true]);
    s.applyExecutionEvent(
      status(order.clientOrderId, 'partially-filled', { filledQty: '0.05', quote: '2500', avgPrice: '50000' }),
    );
    expect(s.committed('USDT').toString()).toBe('7500');
    s.applyExecutionEvent(
      status(order.clientOrderId, 'canceled', { filledQty: '0.05', quote: '2500', avgPrice: '50000' }),
    );
    expect(s.openOrders()).toEqual([]);
    // A late "new" after the cancel does not bring the order back.
    s.applyExecutionEvent(status(order.clientOrderId, 'new', { eventId: 'late-new' }));
    expect(s.openOrders()).toEqual([]);
  });

  it('applies a fill once, whether repeated under its event id or under another one', () => {
    const s = new RiskState({ venue: VENUE });
    s.applyBalances(BALANCES);
    const order = orderRequest();
    s.recordAccepted(order);
    const f = fill({ clientOrderId: order.clientOrderId, side: 'BUY', qty: '0.1', price: '50000', venueFillId: '7' });
    expect(s.applyExecutionEvent(f).outcome).toBe('applied');
    expect(s.applyExecutionEvent(f).outcome).toBe('duplicate');
    expect(s.applyExecutionEvent({ ...f, eventId: 'recon:7' as typeof f.eventId }).outcome).toBe('duplicate');
    expect(s.position('alpha', 'BTC/USDT').toString()).toBe('0.1');
    expect(s.available('BTC').toString()).toBe('10.1');
    expect(s.available('USDT').toString()).toBe('95000');
  });

  it('refuses a conflicting repeat of a fill id and changes nothing', () => {
    const s = new RiskState({ venue: VENUE });
    const f = fill({
      clientOrderId: orderRequest().clientOrderId,
      side: 'BUY',
      qty: '0.1',
      price: '50000',
      venueFillId: '8',
    });
    s.applyExecutionEvent(f);
    const conflicting = { ...f, eventId: 'other' as typeof f.eventId, qty: '0.2' };
    expect(s.applyExecutionEvent(conflicting).outcome).toBe('rejected');
    expect(s.position('alpha', 'BTC/USDT').toString()).toBe('0.1');
  });

  it('attributes fills by client order id: ours to their strategy, others to the outside', () => {
    const s = new RiskState({ venue: VENUE });
    s.applyExecutionEvent(fill({ clientOrderId: 'web_abc123', side: 'BUY', qty: '1', price: '50000' }));
    s.applyExecutionEvent(
      fill({
        clientOrderId: orderRequest({ strategyId: 'beta' }).clientOrderId,
        side: 'SELL',
        qty: '0.4',
        price: '50000',
      }),
    );
    expect(s.position(EXTERNAL_STRATEGY, 'BTC/USDT').toString()).toBe('1');
    expect(s.position('beta', 'BTC/USDT').toString()).toBe('-0.4');
    expect(s.aggregatePosition('BTC/USDT').toString()).toBe('0.6');
    expect(s.strategiesOn('BTC/USDT')).toEqual(['beta']);
  });

  it('ignores messages of another venue and older quotes, trading states and balances', () => {
    const s = new RiskState({ venue: VENUE });
    expect(s.applyQuote({ ...quote('BTC/USDT', '1', '2'), venue: 'kraken' }).outcome).toBe('ignored');
    s.applyQuote(quote('BTC/USDT', '100', '102', T0));
    expect(s.applyQuote(quote('BTC/USDT', '200', '202', T0 - 1)).outcome).toBe('ignored');
    expect(s.quote('BTC/USDT')?.mid?.toString()).toBe('101');

    s.applyTradingState(tradingState({ kind: 'global' }, 'ACTIVE', T0));
    expect(s.applyTradingState(tradingState({ kind: 'global' }, 'HALTED', T0 - 1)).outcome).toBe('ignored');
    s.applyTradingState(tradingState({ kind: 'global' }, 'REDUCING', T0)); // a tie: the stricter wins
    s.applyTradingState(tradingState({ kind: 'global' }, 'ACTIVE', T0));
    expect(s.tradingState({ kind: 'global' })?.mode).toBe('REDUCING');

    s.applyBalances(BALANCES);
    expect(s.applyBalances({ ...BALANCES, asOf: BALANCES.asOf - 1 }).outcome).toBe('ignored');
  });

  it('a newer balance snapshot replaces the fills it already includes', () => {
    const s = new RiskState({ venue: VENUE });
    s.applyBalances(BALANCES);
    const f = fill({
      clientOrderId: orderRequest().clientOrderId,
      side: 'BUY',
      qty: '1',
      price: '50000',
      venueTime: T0 - 10,
    });
    s.applyExecutionEvent(f);
    expect(s.available('BTC').toString()).toBe('11');
    s.applyBalances({ asOf: T0, balances: { BTC: { free: dec('11'), locked: dec('0') } } });
    expect(s.available('BTC').toString()).toBe('11');
  });
});

// Property: the state depends on which events happened, not on how often or in which order they
// arrived. Fills of four orders by two strategies across two UTC days, with their status updates.
const ORDERS: OrderRequest[] = [
  orderRequest({ strategyId: 'alpha', side: 'BUY', qty: '1', price: '51000' }),
  orderRequest({ strategyId: 'alpha', side: 'SELL', qty: '1', price: '49000' }),
  orderRequest({ strategyId: 'beta', side: 'BUY', qty: '1', price: '51000' }),
  orderRequest({ strategyId: 'beta', side: 'SELL', qty: '1', price: '49000' }),
];

const fillSpec = fc.record({
  milli: fc.integer({ min: 1, max: 300 }), // qty in thousandths
  price: fc.integer({ min: 49_000, max: 51_000 }),
  at: fc.integer({ min: -DAY_MS - 3_600_000, max: -1 }), // from yesterday to just before T0
  fee: fc.integer({ min: 0, max: 5 }),
});

const history = fc
  .tuple(
    fc.array(fillSpec, { maxLength: 3 }),
    fc.array(fillSpec, { maxLength: 3 }),
    fc.array(fillSpec, { maxLength: 3 }),
    fc.array(fillSpec, { maxLength: 3 }),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  )
  .map(([f0, f1, f2, f3, done]) => {
    const events: ExecutionEvent[] = [];
    [f0, f1, f2, f3].forEach((fills, k) => {
      const order = ORDERS[k]!;
      let filled = 0;
      fills.forEach((f, j) => {
        filled += f.milli;
        events.push(
          fill({
            clientOrderId: order.clientOrderId,
            side: order.side,
            qty: dec(f.milli).div(dec(1000), 3).toString(),
            price: String(f.price),
            venueFillId: `${k}${j}`,
            venueTime: T0 + f.at,
            fee: String(f.fee),
          }),
        );
      });
      events.push(status(order.clientOrderId, 'new'));
      if (done[k] === true)
        events.push(
          status(
            order.clientOrderId,
            'canceled',
            filled > 0
              ? {
                  filledQty: dec(filled).div(dec(1000), 3).toString(),
                  quote: '1',
                  avgPrice: '50000',
                }
              : {},
          ),
        );
    });
    return events;
  });

describe('RiskState.rebuild (property)', () => {
  it('any duplication and reordering of the same events gives the same state', () => {
    fc.assert(
      fc.property(
        history.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc
              .array(fc.constantFrom(...events), { maxLength: 8 })
              .chain((dupes) =>
                fc.shuffledSubarray([...events, ...dupes], { minLength: events.length + dupes.length }),
              ),
          ),
        ),
        ([events, shuffled]) => {
          const quotes = [quote('BTC/USDT', '49990', '50010', T0)];
          const reference = RiskState.rebuild({ orders: ORDERS, events, balances: BALANCES, quotes }, { venue: VENUE });
          const replayed = RiskState.rebuild(
            { orders: ORDERS, events: shuffled, balances: BALANCES, quotes },
            { venue: VENUE },
          );
          expect(view(replayed)).toEqual(view(reference));
        },
      ),
      { numRuns: 200 },
    );
  });
});
