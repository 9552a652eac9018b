import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dec, type Decimal } from './decimal.js';
import { InvalidArgumentError, InvalidStateTransition, OverfillError } from './errors.js';
import {
  applyOrderUpdate,
  averageFillPrice,
  createOrder,
  remainingQty,
  type Order,
  type OrderUpdate,
} from './order.js';
import { isTerminal } from './order-state.js';

const base = () =>
  createOrder({
    clientOrderId: 'mm:1:0000abcdefgh000',
    strategyId: 'mm',
    instrument: 'BTC/USDT',
    side: 'BUY',
    style: 'limit',
    quantity: dec('1'),
    price: dec('100'),
    atMs: 1000,
  });

function run(order: Order, ...updates: OrderUpdate[]): Order {
  for (const u of updates) order = applyOrderUpdate(order, u).order;
  return order;
}
const fill = (cum: string, quote?: string, atMs = 2000): OrderUpdate => ({
  type: 'fill',
  cumulativeQty: dec(cum),
  cumulativeQuoteQty: quote === undefined ? undefined : dec(quote),
  atMs,
});

describe('applyOrderUpdate', () => {
  it('walks the happy path: ack, partial fill, fill', () => {
    const acked = applyOrderUpdate(base(), { type: 'accepted', venueOrderId: '42', atMs: 1100 });
    expect(acked).toMatchObject({ outcome: 'applied', from: 'pending-new' });
    expect(acked.order.status).toBe('new');
    const part = applyOrderUpdate(acked.order, fill('0.4', '40'));
    expect(part.outcome === 'applied' && part.newlyFilled.toString()).toBe('0.4');
    expect(part.order.status).toBe('partially-filled');
    expect(remainingQty(part.order).toString()).toBe('0.6');
    const done = applyOrderUpdate(part.order, fill('1', '100.6'));
    expect(done.order.status).toBe('filled');
    expect(averageFillPrice(done.order)?.toString()).toBe('100.6');
    expect(remainingQty(done.order).toString()).toBe('0');
    expect(done.order.venueOrderId).toBe('42');
  });

  it('handles a fill that arrives before the acknowledgement, and the late ack after it', () => {
    const o = run(base(), fill('0.5'));
    expect(o.status).toBe('partially-filled');
    const late = applyOrderUpdate(o, { type: 'accepted', venueOrderId: '42', atMs: 900 });
    expect(late.order.status).toBe('partially-filled');
    expect(late.order.venueOrderId).toBe('42');
    expect(late.order.updatedAtMs).toBe(2000);
  });

  it('lets the cumulative quantity decide: duplicates and stale reports change nothing', () => {
    const o = run(base(), { type: 'accepted', atMs: 1 }, fill('0.7'));
    expect(applyOrderUpdate(o, fill('0.7'))).toEqual({ outcome: 'ignored', order: o, reason: 'duplicate' });
    expect(applyOrderUpdate(o, fill('0.3'))).toEqual({ outcome: 'ignored', order: o, reason: 'stale' });
    expect(applyOrderUpdate(o, { type: 'accepted', atMs: 5 })).toMatchObject({
      outcome: 'ignored',
      reason: 'duplicate',
    });
  });

  it('refuses to fill more than ordered, and never applies an illegal transition', () => {
    const o = run(base(), { type: 'accepted', atMs: 1 });
    const over = applyOrderUpdate(o, fill('1.1'));
    expect(over.outcome).toBe('rejected');
    expect(over.outcome === 'rejected' && over.error).toBeInstanceOf(OverfillError);
    expect(over.order).toBe(o);
    const rejected = run(base(), { type: 'rejected', reason: 'insufficient balance', atMs: 2 });
    expect(rejected.rejectReason).toBe('insufficient balance');
    const r = applyOrderUpdate(rejected, fill('0.1'));
    expect(r.outcome === 'rejected' && r.error).toBeInstanceOf(InvalidStateTransition);
    expect(r.order).toBe(rejected);
    const neg = applyOrderUpdate(o, { type: 'canceled', cumulativeQty: dec('-1'), atMs: 3 });
    expect(neg.outcome === 'rejected' && neg.error).toBeInstanceOf(InvalidArgumentError);
    const other = applyOrderUpdate(run(o, { type: 'accepted', venueOrderId: '1', atMs: 4 }), {
      type: 'accepted',
      venueOrderId: '2',
      atMs: 5,
    });
    expect(other.outcome).toBe('rejected');
  });

  it('records a fill that lost the race against a cancel without leaving canceled', () => {
    const o = run(base(), { type: 'accepted', atMs: 1 }, { type: 'cancel-requested', atMs: 2 });
    expect(o.status).toBe('pending-cancel');
    const stillPending = run(o, fill('0.2'));
    expect(stillPending.status).toBe('pending-cancel');
    const canceled = run(stillPending, { type: 'canceled', cumulativeQty: dec('0.2'), atMs: 3 });
    expect(canceled.status).toBe('canceled');
    // A trade that executed before the cancel landed, reported after it.
    const late = applyOrderUpdate(canceled, fill('0.5'));
    expect(late.outcome).toBe('applied');
    expect(late.order.status).toBe('canceled');
    expect(late.order.filledQty.toString()).toBe('0.5');
  });

  it('returns to the right open state when a cancel or amend is rejected, and applies an amend', () => {
    const o = run(base(), { type: 'accepted', atMs: 1 }, fill('0.25'), { type: 'cancel-requested', atMs: 2 });
    expect(run(o, { type: 'cancel-rejected', atMs: 3 }).status).toBe('partially-filled');
    const fresh = run(base(), { type: 'accepted', atMs: 1 }, { type: 'cancel-requested', atMs: 2 });
    expect(run(fresh, { type: 'cancel-rejected', atMs: 3 }).status).toBe('new');
    const amending = run(o, { type: 'cancel-rejected', atMs: 3 }, { type: 'replace-requested', atMs: 4 });
    expect(amending.status).toBe('pending-replace');
    const amended = run(amending, { type: 'replaced', quantity: dec('0.5'), price: dec('99'), atMs: 5 });
    expect([amended.status, amended.quantity.toString(), amended.price?.toString()]).toEqual([
      'partially-filled',
      '0.5',
      '99',
    ]);
    expect(run(amending, { type: 'replaced', quantity: dec('0.25'), atMs: 5 }).status).toBe('filled');
    expect(applyOrderUpdate(amending, { type: 'replaced', quantity: dec('0.2'), atMs: 5 }).outcome).toBe('rejected');
  });

  it('resolves an unknown order from a status query', () => {
    const unknown = run(base(), { type: 'submit-timeout', atMs: 5 });
    expect(unknown.status).toBe('unknown');
    const snap = (status: Order['status'], cum: string): OrderUpdate => ({
      type: 'status',
      status,
      cumulativeQty: dec(cum),
      atMs: 9,
    });
    expect(run(unknown, snap('new', '0')).status).toBe('new');
    expect(run(unknown, snap('partially-filled', '0.3')).status).toBe('partially-filled');
    expect(run(unknown, snap('filled', '1')).status).toBe('filled');
    const partCanceled = run(unknown, snap('canceled', '0.3'));
    expect([partCanceled.status, partCanceled.filledQty.toString()]).toEqual(['canceled', '0.3']);
    expect(run(unknown, snap('rejected', '0')).status).toBe('rejected');
    expect(applyOrderUpdate(unknown, snap('pending-new', '0'))).toMatchObject({
      outcome: 'ignored',
      reason: 'no-information',
    });
  });

  it('refuses to create an order with a quantity or price that is not above zero', () => {
    const o = { clientOrderId: 'x', strategyId: 's', instrument: 'A/B', side: 'BUY', style: 'limit', atMs: 0 } as const;
    expect(() => createOrder({ ...o, quantity: dec('0') })).toThrow(InvalidArgumentError);
    expect(() => createOrder({ ...o, quantity: dec('1'), price: dec('-1') })).toThrow(InvalidArgumentError);
  });
});

describe('order properties', () => {
  const qtyUnits = 20;
  const update: fc.Arbitrary<OrderUpdate> = fc.oneof(
    fc.integer({ min: 0, max: qtyUnits + 2 }).map((n) => fill(String(n)) as OrderUpdate),
    fc
      .constantFrom<OrderUpdate['type']>(
        'submit-timeout',
        'accepted',
        'rejected',
        'cancel-requested',
        'cancel-rejected',
        'canceled',
        'expired',
        'replace-requested',
        'replace-rejected',
      )
      .map((type) => ({ type, atMs: 3 }) as OrderUpdate),
    fc
      .integer({ min: 0, max: qtyUnits })
      .chain((n) =>
        fc
          .constantFrom('new', 'partially-filled', 'filled', 'canceled', 'expired', 'rejected', 'pending-new')
          .map((status) => ({ type: 'status', status, cumulativeQty: dec(String(n)), atMs: 4 }) as OrderUpdate),
      ),
  );
  const start = () => createOrder({ ...base(), quantity: dec(String(qtyUnits)), atMs: 0 });

  it('never leaves a terminal state, never lets filled exceed ordered or go down', () => {
    fc.assert(
      fc.property(fc.array(update, { maxLength: 40 }), (updates) => {
        let order = start();
        let terminal: string | undefined;
        let filled: Decimal = order.filledQty;
        for (const u of updates) {
          const r = applyOrderUpdate(order, u);
          if (r.outcome === 'rejected' || r.outcome === 'ignored') expect(r.order).toBe(order);
          order = r.order;
          if (terminal) expect(order.status).toBe(terminal);
          if (isTerminal(order.status)) terminal = order.status;
          expect(order.filledQty.lte(order.quantity)).toBe(true);
          expect(order.filledQty.gte(filled)).toBe(true);
          filled = order.filledQty;
          if (order.status === 'filled') expect(order.filledQty.eq(order.quantity)).toBe(true);
        }
      }),
    );
  });

  it('reaches the same order whether venue fill reports arrive once, twice or shuffled', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.integer({ min: 1, max: qtyUnits }), { minLength: 1, maxLength: 8 })
          .chain((cums) =>
            fc.tuple(fc.constant(cums), fc.shuffledSubarray([...cums, ...cums], { minLength: cums.length * 2 })),
          ),
        ([cums, noisy]) => {
          const accepted = run(start(), { type: 'accepted', atMs: 1 });
          const a = run(accepted, ...[...cums].sort((x, y) => x - y).map((n) => fill(String(n))));
          const b = run(accepted, ...noisy.map((n) => fill(String(n))));
          expect([b.status, b.filledQty.toString()]).toEqual([a.status, a.filledQty.toString()]);
        },
      ),
    );
  });
});
