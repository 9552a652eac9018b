// The trading day's P&L, hand-computed (issue 16 part 3): a position carried across the day
// boundary counts from the mark at the boundary, not from its entry; fees in the base asset and in a
// third asset count at the mark; a fee that cannot be valued is named and refuses new orders; the
// boundary is configuration.
import { describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { DAY_MS, dayStart } from './daily-pnl.js';
import { RiskState } from './risk-state.js';
import {
  T0,
  VENUE,
  failedRules,
  failuresOf,
  fill,
  gate,
  intent,
  limits,
  orderRequest,
  quote,
  status,
} from './test-support.js';

const MIDNIGHT = dayStart(T0); // 2024-03-15 00:00 UTC; T0 is 12:00 that day
const HOUR = 3_600_000;

/** An accepted order of `alpha` and its single fill (fee as given), then its `filled` status. */
function trade(
  state: RiskState,
  side: 'BUY' | 'SELL',
  qty: string,
  price: string,
  venueTime: number,
  fee: { fee: string; feeAsset: string } = { fee: '0', feeAsset: 'USDT' },
): void {
  const order = orderRequest({ side, qty, price });
  state.recordAccepted(order);
  state.applyExecutionEvent(fill({ clientOrderId: order.clientOrderId, side, qty, price, venueTime, ...fee }));
  state.applyExecutionEvent(status(order.clientOrderId, 'filled', { filledQty: qty }));
}

const usdt = (state: RiskState, now = T0) => {
  const day = state.dailyPnl(now, 'alpha').get('USDT');
  if (day === undefined) throw new Error('no USDT P&L');
  return day;
};

describe('daily P&L from the day-start mark', () => {
  it('a position carried across midnight counts from the mark at midnight, not from its entry', () => {
    const state = new RiskState({ venue: VENUE });
    trade(state, 'BUY', '1', '50000', MIDNIGHT - 14 * HOUR); // yesterday 10:00
    state.applyQuote(quote('BTC/USDT', '51990', '52010', MIDNIGHT - 60_000)); // 23:59: mid 52 000
    state.applyQuote(quote('BTC/USDT', '51490', '51510', MIDNIGHT + HOUR)); // 01:00: mid 51 500
    trade(state, 'SELL', '0.5', '51500', MIDNIGHT + 2 * HOUR, { fee: '0.5', feeAsset: 'USDT' });
    state.applyQuote(quote('BTC/USDT', '50990', '51010', T0 - 1_000)); // now: mid 51 000

    // Realized today: 0.5 × (51 500 − 52 000) = −250; the 0.5 still open: 0.5 × (51 000 − 52 000) =
    // −500; fee 0.5. From the entry instead it would read +750 realized and +500 unrealized.
    const day = usdt(state);
    expect(day.realized.toString()).toBe('-250');
    expect(day.unrealized.toString()).toBe('-500');
    expect(day.fees.toString()).toBe('0.5');
    expect(day.total.toString()).toBe('-750.5');
    expect(day.estimatedStart).toEqual([]);
  });

  it('a carried position with no trade today moves by the mark only', () => {
    const state = new RiskState({ venue: VENUE });
    trade(state, 'SELL', '2', '50000', MIDNIGHT - HOUR); // short 2 BTC yesterday 23:00
    state.applyQuote(quote('BTC/USDT', '49990', '50010', MIDNIGHT - 1)); // mid 50 000 at the boundary
    state.applyQuote(quote('BTC/USDT', '50490', '50510', T0)); // mid 50 500: the short loses 2 × 500
    expect(usdt(state).total.toString()).toBe('-1000');
  });

  it('converts fees in the base asset and in a third asset at their marks', () => {
    const state = new RiskState({ venue: VENUE });
    state.applyQuote(quote('BTC/USDT', '50190', '50210', T0 - 5_000)); // mid 50 200
    state.applyQuote(quote('BNB/USDT', '599.5', '600.5', T0 - 5_000)); // mid 600
    trade(state, 'BUY', '1', '50000', T0 - 3 * HOUR, { fee: '0.001', feeAsset: 'BTC' });
    trade(state, 'SELL', '0.5', '50500', T0 - 2 * HOUR, { fee: '0.02', feeAsset: 'BNB' });

    // Realized 0.5 × (50 500 − 50 000) = 250; open 0.5 × (50 200 − 50 000) = 100;
    // fees 0.001 BTC × 50 200 = 50.2 and 0.02 BNB × 600 = 12.
    const day = usdt(state);
    expect(day.realized.toString()).toBe('250');
    expect(day.unrealized.toString()).toBe('100');
    expect(day.fees.toString()).toBe('62.2');
    expect(day.total.toString()).toBe('287.8');
    expect(day.unpricedFees).toEqual([]);
  });

  it('a fee in an asset without a mark is named and refuses new orders, without tripping the kill switch', () => {
    const config = limits({ defaults: { maxDailyLoss: { USDT: '1000' } } });
    const g = gate(undefined, config);
    trade(g.state, 'BUY', '0.1', '50000', T0 - HOUR, { fee: '0.3', feeAsset: 'XYZ' });
    expect(usdt(g.state).unpricedFees.map((f) => [f.asset, f.amount.toString()])).toEqual([['XYZ', '0.3']]);

    const refused = g.onIntent(intent());
    expect(failedRules(refused)).toEqual(['max-daily-loss-unpriced-fee']);
    expect(failuresOf(refused, 'max-daily-loss-unpriced-fee')[0]?.message).toMatch(/0\.3 XYZ \(no XYZ\/USDT mark\)/);
    expect(refused.effects).toEqual([]);

    // Once the asset has a mark the fee is valued (0.3 × 10 = 3 USDT) and trading goes on.
    g.onQuote(quote('XYZ/USDT', '9.9', '10.1', T0));
    expect(usdt(g.state).fees.toString()).toBe('3');
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });

  it('a gate started after the boundary estimates the start mark from its first quote and says so', () => {
    const rebuilt = RiskState.rebuild(
      {
        orders: [],
        events: [
          fill({
            clientOrderId: orderRequest().clientOrderId,
            side: 'BUY',
            qty: '1',
            price: '50000',
            venueTime: MIDNIGHT - HOUR,
          }),
        ],
        quotes: [quote('BTC/USDT', '47990', '48010', T0 - 1_000)],
        balances: { asOf: T0 - DAY_MS, balances: { USDT: { free: dec('100000'), locked: dec('0') } } },
      },
      { venue: VENUE },
    );
    const day = usdt(rebuilt);
    expect(day.total.toString()).toBe('0');
    expect(day.estimatedStart).toEqual(['BTC/USDT']);
    const r = gate(rebuilt, limits({ defaults: { maxDailyLoss: { USDT: '1000' } } })).onIntent(intent());
    expect(r.decision.outcome).toBe('accepted');
  });
});

describe('the trading day boundary', () => {
  it('is UTC midnight by default and an HH:MM (UTC) in the limits', () => {
    expect(limits().tradingDayStart).toBe('00:00');
    expect(limits({ tradingDayStart: '08:00' }).tradingDayStart).toBe('08:00');
    expect(() => limits({ tradingDayStart: '24:00' })).toThrow(/tradingDayStart: must be HH:MM/);
    expect(dayStart(T0, 8 * HOUR)).toBe(MIDNIGHT + 8 * HOUR);
    expect(dayStart(MIDNIGHT + 7 * HOUR, 8 * HOUR)).toBe(MIDNIGHT + 8 * HOUR - DAY_MS);
  });

  it('counts a loss realized before the configured start as the previous day’s', () => {
    const losing = (tradingDayStart: string) => {
      const g = gate(undefined, limits({ tradingDayStart, defaults: { maxDailyLoss: { USDT: '500' } } }));
      trade(g.state, 'BUY', '1', '50000', MIDNIGHT + 7 * HOUR); // 07:00
      trade(g.state, 'SELL', '1', '49000', MIDNIGHT + 7 * HOUR + 60_000); // 07:01: −1000
      return g;
    };
    // From midnight the −1000 is today's: refused, and the strategy's kill switch asked for.
    const fromMidnight = losing('00:00').onIntent(intent());
    expect(failedRules(fromMidnight)).toEqual(['max-daily-loss']);
    // With the day starting at 08:00 UTC it belongs to yesterday; today (since 08:00) is flat.
    const fromEight = losing('08:00');
    expect(fromEight.onIntent(intent()).decision.outcome).toBe('accepted');
    expect(fromEight.state.dailyPnl(T0, 'alpha').get('USDT')?.total.toString()).toBe('0');
    expect(
      fromEight.state
        .dailyPnl(MIDNIGHT + 7 * HOUR + 120_000, 'alpha')
        .get('USDT')
        ?.total.toString(),
    ).toBe('-1000');
  });

  it('moves when the limits are reloaded', () => {
    const g = gate(undefined, limits({ defaults: { maxDailyLoss: { USDT: '500' } } }));
    trade(g.state, 'BUY', '1', '50000', MIDNIGHT + 7 * HOUR);
    trade(g.state, 'SELL', '1', '49000', MIDNIGHT + 7 * HOUR + 60_000);
    expect(failedRules(g.onIntent(intent()))).toEqual(['max-daily-loss']);
    g.setLimits(limits({ tradingDayStart: '08:00', defaults: { maxDailyLoss: { USDT: '500' } } }));
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });
});
