import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ClientOrderId,
  InstrumentSymbol,
  VenueOrderId,
  type FillEvent,
  type OrderStatusUpdate,
} from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { OrderTracker, untrackedRejection } from './order-tracker.js';
import { T0, fill, report, request } from './testing.js';

function positionQty(tracker: OrderTracker): string {
  return tracker.positions.position('momo', 'BTC/USDT').qty.toString();
}

describe('OrderTracker', () => {
  it('follows an order from pending-new through an ack and two fills, positions from fills only', () => {
    const t = new OrderTracker();
    const first = t.track(request('a'), T0);
    expect(first.statusUpdates.map((u) => u.status)).toEqual(['pending-new']);

    const ack = t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 1));
    expect(ack.outcome).toBe('applied');
    expect(ack.positions).toEqual([]);
    expect(positionQty(t)).toBe('0');

    const part = t.applyExecutionReport(
      report('a', 'partially-filled', '0.4', '40', T0 + 2),
      fill('a', '1', '0.4', '100', T0 + 2),
    );
    expect(part.statusUpdates.map((u) => [u.status, u.filledQty, u.avgPrice])).toEqual([
      ['partially-filled', '0.4', '100'],
    ]);
    expect(part.fills.map((f) => [f.event.eventId, f.strategyId])).toEqual([['fill:binance:BTCUSDT:1', 'momo']]);
    expect(positionQty(t)).toBe('0.4');

    const done = t.applyExecutionReport(
      report('a', 'filled', '1', '100.6', T0 + 3),
      fill('a', '2', '0.6', '101', T0 + 3),
    );
    expect(done.tracked?.order.status).toBe('filled');
    expect(positionQty(t)).toBe('1');
    expect(t.liveOrders()).toEqual([]);
  });

  it('ignores duplicate and stale reports, and says so', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 1));
    const filled = t.applyExecutionReport(report('a', 'filled', '1', '100', T0 + 3));
    expect(filled.outcome).toBe('applied');

    const dup = t.applyExecutionReport(report('a', 'filled', '1', '100', T0 + 3));
    expect([dup.outcome, dup.detail, dup.statusUpdates.length]).toEqual(['ignored', 'duplicate', 0]);
    const stale = t.applyExecutionReport(report('a', 'partially-filled', '0.4', '40', T0 + 2));
    expect([stale.outcome, stale.detail]).toEqual(['ignored', 'stale']);
    const lateAck = t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 1));
    expect(lateAck.outcome).toBe('ignored');
    expect(t.get('a')?.order.status).toBe('filled');
    expect(t.get('a')?.order.filledQty.toString()).toBe('1');
  });

  it('takes a fill that arrives before the acknowledgement, and moves the order by it', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    const early = t.applyFill(fill('a', '1', '0.25', '99', T0 + 1));
    expect(early.outcome).toBe('applied');
    expect(early.tracked?.order.status).toBe('partially-filled');
    expect(early.tracked?.order.filledQty.toString()).toBe('0.25');
    expect(early.statusUpdates.map((u) => u.status)).toEqual(['partially-filled']);
    expect(positionQty(t)).toBe('0.25');

    // The acknowledgement, then the report of the same execution, change nothing more.
    expect(t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 2)).outcome).toBe('ignored');
    const same = t.applyExecutionReport(
      report('a', 'partially-filled', '0.25', '24.75', T0 + 1),
      fill('a', '1', '0.25', '99', T0 + 1),
    );
    expect(same.fills).toEqual([]);
    expect(positionQty(t)).toBe('0.25');
  });

  it('keeps a canceled order canceled when a fill executed before the cancel is reported after it', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 1));
    t.applyLocal('a', { type: 'cancel-requested' }, T0 + 2);
    t.applyExecutionReport(report('a', 'canceled', '0', '0', T0 + 3));
    const late = t.applyExecutionReport(
      report('a', 'partially-filled', '0.3', '30', T0 + 2),
      fill('a', '5', '0.3', '100', T0 + 2),
    );
    expect(late.tracked?.order.status).toBe('canceled');
    expect(late.tracked?.order.filledQty.toString()).toBe('0.3');
    expect(positionQty(t)).toBe('0.3');
  });

  it('publishes the same event ids for the same inputs, and different ids for different changes', () => {
    const run = () => {
      const t = new OrderTracker();
      const changes = [
        t.track(request('a'), T0),
        t.applyExecutionReport(report('a', 'new', '0', '0', T0 + 1)),
        t.applyLocal('a', { type: 'cancel-requested' }, T0 + 2),
        t.applyLocal('a', { type: 'cancel-rejected', reason: 'too late' }, T0 + 3),
        t.applyExecutionReport(report('a', 'filled', '1', '100', T0 + 4), fill('a', '9', '1', '100', T0 + 4)),
      ];
      return changes.flatMap((c) => [...c.statusUpdates.map((u) => u.eventId), ...c.fills.map((f) => f.event.eventId)]);
    };
    const ids = run();
    expect(run()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // new → pending-cancel → new again: the two `new` updates are distinct messages.
    expect(ids.filter((id) => id.includes(':new:'))).toHaveLength(2);
  });

  it('reports a rejection reason and refuses a fill on another instrument', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    const rejected = t.applyExecutionReport(
      report('a', 'rejected', '0', '0', T0 + 1, { reason: 'insufficient balance' }),
    );
    expect(rejected.statusUpdates[0]?.reason).toBe('insufficient balance');
    expect(rejected.statusUpdates[0]?.rejectedBy).toBe('venue');
    t.track(request('b'), T0);
    const wrong = t.applyFill(fill('b', '3', '0.1', '100', T0 + 1, { instrument: 'ETH/USDT' }));
    expect(wrong.outcome).toBe('rejected');
    expect(wrong.error?.name).toBe('OrderManagerError');
    expect(positionQty(t)).toBe('0');
  });

  it("says who rejected: bourse for its own refusal, venue for the venue's, and nothing on other statuses", () => {
    const t = new OrderTracker();
    const first = t.track(request('a'), T0);
    expect(first.statusUpdates[0]?.rejectedBy).toBeUndefined();
    const own = t.applyLocal(
      'a',
      { type: 'rejected', reason: 'trading is HALTED for global global', by: 'bourse' },
      T0 + 1,
    );
    expect(own.statusUpdates[0]).toMatchObject({ status: 'rejected', rejectedBy: 'bourse' });
    t.track(request('b'), T0);
    const venue = t.applyLocal('b', { type: 'rejected', reason: '-2010: insufficient balance', by: 'venue' }, T0 + 1);
    expect(venue.statusUpdates[0]).toMatchObject({ status: 'rejected', rejectedBy: 'venue' });
    // A request refused before it is followed (a shape the venue port cannot carry) is the OMS's refusal too.
    expect(untrackedRejection(request('c'), 'unsupported', T0)).toMatchObject({
      status: 'rejected',
      rejectedBy: 'bourse',
    });
  });

  it('refuses an overfill and a fill for an order it does not follow', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    const over = t.applyExecutionReport(report('a', 'partially-filled', '1.5', '150', T0 + 1, { avgPrice: '100' }));
    expect(over.outcome).toBe('rejected');
    expect(over.error?.name).toBe('OverfillError');
    expect(t.applyFill(fill('zz', '1', '0.1', '100', T0)).outcome).toBe('unknown-order');
  });

  it('adopts a venue order from a query', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    t.applyLocal('a', { type: 'submit-timeout', reason: 'VENUE_TIMEOUT' }, T0 + 1);
    expect(t.get('a')?.order.status).toBe('unknown');
    const adopted = t.applyVenueOrder({
      symbol: InstrumentSymbol.parse('BTC/USDT'),
      clientOrderId: ClientOrderId.parse('a'),
      venueOrderId: VenueOrderId.parse('7'),
      side: 'BUY',
      style: 'limit',
      timeInForce: 'GTC',
      status: 'partially-filled',
      venueStatus: 'PARTIALLY_FILLED',
      price: '100',
      stopPrice: undefined,
      quantity: '1',
      cumulativeQuantity: '0.5',
      cumulativeQuote: '50',
      createdAt: T0,
      updatedAt: T0 + 5,
    });
    expect(adopted.tracked?.order.status).toBe('partially-filled');
    expect(adopted.statusUpdates[0]?.venueOrderId).toBe('7');
    // A query snapshot is not a fill: the position waits for the fills themselves.
    expect(positionQty(t)).toBe('0');
  });

  it('rebuilds positions from stored fills on restart without publishing anything', () => {
    const before = new OrderTracker();
    before.track(request('a'), T0);
    const fills = [fill('a', '1', '0.4', '100', T0 + 1), fill('a', '2', '0.6', '101', T0 + 2)];
    for (const f of fills) before.applyFill(f);
    const stored = before.get('a');
    if (stored === undefined) throw new Error('order missing');

    const after = new OrderTracker();
    after.restore(stored.request, stored.order, stored.seq);
    const restored = fills.map((f) => after.restoreFill(f));
    expect(restored.flatMap((r) => [...r.statusUpdates, ...r.fills])).toEqual([]);
    expect(positionQty(after)).toBe('1');
    expect(after.get('a')?.seq).toBe(stored.seq);
    // A fill seen again after the restart is a duplicate.
    expect(after.applyFill(fills[0] as FillEvent).outcome).toBe('ignored');
  });

  it('evicts terminal orders only', () => {
    const t = new OrderTracker();
    t.track(request('a'), T0);
    expect(t.evict('a')).toBe(false);
    t.applyExecutionReport(report('a', 'canceled', '0', '0', T0 + 1));
    expect(t.evict('a')).toBe(true);
    expect(t.get('a')).toBeUndefined();
  });
});

const milli = (n: number) => dec(n).times(dec('0.001')).toString();

describe('OrderTracker with a quote-sized market order', () => {
  const quoteSized = (id: string) =>
    request(id, { qty: undefined, quoteQty: '100', style: 'market', price: undefined, timeInForce: undefined });

  it('follows it, and its base quantity is what the venue executed when it says filled', () => {
    const t = new OrderTracker();
    expect(t.track(quoteSized('q'), T0).statusUpdates.map((u) => u.status)).toEqual(['pending-new']);
    t.applyExecutionReport(report('q', 'new', '0', '0', T0 + 1));
    const part = t.applyExecutionReport(
      report('q', 'partially-filled', '0.3', '30', T0 + 2),
      fill('q', 'q1', '0.3', '100', T0 + 2),
    );
    expect(part.tracked?.order.status).toBe('partially-filled');
    const done = t.applyExecutionReport(
      report('q', 'filled', '0.99', '99.6', T0 + 3),
      fill('q', 'q2', '0.69', '101', T0 + 3),
    );
    expect(done.statusUpdates.map((u) => [u.status, u.filledQty])).toEqual([['filled', '0.99']]);
    expect(t.get('q')?.order.quantity.toString()).toBe('0.99');
    expect(positionQty(t)).toBe('0.99');
    expect(t.liveOrders()).toEqual([]);
  });

  it('is filled when the report comes after fills that already add up to what it executed', () => {
    const t = new OrderTracker();
    t.track(quoteSized('q'), T0);
    const viaFill = t.applyFill(fill('q', 'q1', '0.5', '100', T0 + 1));
    expect(viaFill.tracked?.order.status).toBe('partially-filled');
    const done = t.applyExecutionReport(report('q', 'filled', '0.5', '50', T0 + 2));
    expect(done.statusUpdates.map((u) => [u.status, u.filledQty])).toEqual([['filled', '0.5']]);
    const again = t.applyExecutionReport(report('q', 'filled', '0.5', '50', T0 + 2));
    expect(again.outcome).toBe('ignored');
  });

  it('takes the size from a query answer, and an expired one keeps what it filled', () => {
    const t = new OrderTracker();
    t.track(quoteSized('q'), T0);
    const expired = t.applyExecutionReport(report('q', 'expired', '0.2', '20', T0 + 1));
    expect([expired.tracked?.order.status, expired.tracked?.order.quantity.toString()]).toEqual(['expired', '0.2']);
  });
});

describe('OrderTracker properties', () => {
  // Execution reports of one order split into 1–6 fills, delivered shuffled and with repeats.
  const scenario = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }).chain((parts) => {
    const total = parts.reduce((a, b) => a + b, 0);
    let cum = 0;
    const reports: [OrderStatusUpdate, FillEvent | undefined][] = [[report('a', 'new', '0', '0', T0 + 1), undefined]];
    parts.forEach((p, i) => {
      cum += p;
      const at = T0 + 10 + i;
      const status = cum === total ? 'filled' : 'partially-filled';
      reports.push([
        report('a', status, milli(cum), dec(cum).times(dec('0.1')).toString(), at, { avgPrice: '100' }),
        fill('a', String(100 + i), milli(p), '100', at),
      ]);
    });
    return fc.tuple(
      fc.constant({ total, reports }),
      fc.shuffledSubarray(reports, { minLength: 0, maxLength: reports.length }),
      fc.boolean(),
    );
  });

  it('reaches the same order and position whatever the order and repetition of reports', () => {
    fc.assert(
      fc.property(scenario, ([{ total, reports }, repeats, shuffle]) => {
        const qty = dec(total).times(dec('0.001'));
        const t = new OrderTracker();
        t.track(request('a', { qty: qty.toString() }), T0);
        const delivered = [...reports, ...repeats];
        if (shuffle) delivered.reverse();
        for (const [u, f] of delivered) t.applyExecutionReport(u, f);
        for (const [u, f] of delivered) t.applyExecutionReport(u, f); // the whole stream again
        expect(t.get('a')?.order.status).toBe('filled');
        expect(t.get('a')?.order.filledQty.eq(qty)).toBe(true);
        expect(t.positions.position('momo', 'BTC/USDT').qty.eq(qty)).toBe(true);
        expect(t.positions.fills('momo', 'BTC/USDT')).toHaveLength(reports.length - 1);
      }),
      { numRuns: 200 },
    );
  });
});
