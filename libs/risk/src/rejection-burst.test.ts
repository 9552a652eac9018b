import { OrderStatusUpdate } from '@bourse/contracts';
import { describe, expect, it } from 'vitest';
import { RejectionBurstDetector, isBurstEvent } from './rejection-burst.js';
import { gate, limits, ManualClock, orderRequest, T0, VENUE } from './test-support.js';

const LIMIT = { count: 3, windowMs: 10_000 };

let seq = 0;
function update(
  status: string,
  fields: {
    venueTime?: number;
    reason?: string;
    clientOrderId?: string;
    eventId?: string;
    rejectedBy?: 'venue' | 'bourse';
  } = {},
): OrderStatusUpdate {
  seq++;
  return OrderStatusUpdate.parse({
    v: 1,
    type: 'order-status',
    eventId: fields.eventId ?? `burst-${seq}`,
    venue: VENUE,
    instrument: 'BTC/USDT',
    clientOrderId: fields.clientOrderId ?? `alpha:1:${seq}`,
    status,
    filledQty: '0',
    cumulativeQuoteQty: '0',
    ...(fields.reason === undefined ? {} : { reason: fields.reason }),
    ...(fields.rejectedBy === undefined ? {} : { rejectedBy: fields.rejectedBy }),
    venueTime: fields.venueTime ?? T0,
  });
}

describe('RejectionBurstDetector', () => {
  it('counts rejected and unknown statuses, and nothing else', () => {
    expect(isBurstEvent(update('rejected', { reason: '-2010: Account has insufficient balance' }))).toBe(true);
    expect(isBurstEvent(update('unknown', { reason: 'timeout' }))).toBe(true);
    for (const other of ['new', 'canceled', 'expired', 'pending-new']) expect(isBurstEvent(update(other))).toBe(false);
    expect(isBurstEvent(update('rejected', { reason: '-1013: LOT_SIZE', rejectedBy: 'venue' }))).toBe(true);
    // The OMS refusing by itself (e.g. trading already halted) is the consequence of a halt, not an API error,
    // told by the field, whatever the wording; the same words from the venue count.
    expect(
      isBurstEvent(update('rejected', { reason: 'trading is HALTED for global global', rejectedBy: 'bourse' })),
    ).toBe(false);
    expect(isBurstEvent(update('rejected', { reason: 'anything at all', rejectedBy: 'bourse' }))).toBe(false);
    expect(
      isBurstEvent(update('rejected', { reason: 'trading is HALTED for global global', rejectedBy: 'venue' })),
    ).toBe(true);
    // Without the field (older messages, other producers) a rejection counts: the trigger errs towards halting.
    expect(isBurstEvent(update('rejected', { reason: 'trading is HALTED for global global' }))).toBe(true);
  });

  it('trips when the count reaches the limit inside the window, naming count, window and the last reasons', () => {
    const clock = new ManualClock();
    const detector = new RejectionBurstDetector(clock);
    expect(detector.record(update('rejected', { reason: 'r1' }), 'alpha', LIMIT)).toBeUndefined();
    clock.advance(1_000);
    expect(
      detector.record(update('unknown', { reason: 'r2', venueTime: clock.now() }), 'alpha', LIMIT),
    ).toBeUndefined();
    clock.advance(1_000);
    const burst = detector.record(update('rejected', { reason: 'r3', venueTime: clock.now() }), 'alpha', LIMIT);
    expect(burst).toMatchObject({ strategyId: 'alpha', count: 3, windowMs: 10_000 });
    expect(burst?.lastReasons.map((r) => r.replace(/ .*: /, ': '))).toEqual([
      'rejected: r1',
      'unknown: r2',
      'rejected: r3',
    ]);
    expect(burst?.reason).toMatch(/3 rejected or unknown orders of alpha within 10000 ms \(limit 3 per 10000 ms\)/);
    expect(burst?.reason).toMatch(/last: rejected alpha:1:\d+: r1; unknown .*r2; rejected .*r3$/);
  });

  it('keeps strategies apart', () => {
    const detector = new RejectionBurstDetector(new ManualClock());
    detector.record(update('rejected'), 'alpha', LIMIT);
    detector.record(update('rejected'), 'alpha', LIMIT);
    expect(detector.record(update('rejected'), 'beta', LIMIT)).toBeUndefined();
    expect(detector.pending('beta')).toBe(1);
    expect(detector.record(update('rejected'), 'alpha', LIMIT)).toBeDefined();
  });

  it('slides: an event exactly windowMs old is out, one a millisecond younger is in', () => {
    const clock = new ManualClock();
    const detector = new RejectionBurstDetector(clock);
    detector.record(update('rejected', { venueTime: T0 }), 'alpha', LIMIT);
    clock.ms = T0 + 1;
    detector.record(update('rejected', { venueTime: T0 + 1 }), 'alpha', LIMIT);
    // At T0 + 10 000 the first event (T0) has left the window (now − windowMs, now]; the second has not.
    clock.ms = T0 + 10_000;
    expect(detector.record(update('rejected', { venueTime: clock.now() }), 'alpha', LIMIT)).toBeUndefined();
    expect(detector.pending('alpha')).toBe(2);
    clock.ms = T0 + 10_001;
    // Now the T0 + 1 event has left too: 2 left (T0 + 10 000 and this one).
    expect(detector.record(update('rejected', { venueTime: clock.now() }), 'alpha', LIMIT)).toBeUndefined();
    expect(detector.pending('alpha')).toBe(2);
    expect(detector.record(update('rejected', { venueTime: clock.now() }), 'alpha', LIMIT)).toBeDefined();
  });

  it('takes a venue time ahead of the clock as now', () => {
    const clock = new ManualClock();
    const detector = new RejectionBurstDetector(clock);
    detector.record(update('rejected', { venueTime: T0 + 60_000 }), 'alpha', LIMIT);
    clock.ms = T0 + 10_000;
    detector.record(update('rejected', { venueTime: clock.now() }), 'alpha', LIMIT);
    expect(detector.pending('alpha')).toBe(1);
  });

  it('ignores events already outside the window when they arrive (a replay of old EXEC history)', () => {
    const clock = new ManualClock();
    const detector = new RejectionBurstDetector(clock);
    for (let i = 0; i < 10; i++) {
      expect(detector.record(update('rejected', { venueTime: T0 - 10_000 - i }), 'alpha', LIMIT)).toBeUndefined();
    }
    expect(detector.pending('alpha')).toBe(0);
  });

  it('trips once per burst: the next trip needs count new events', () => {
    const detector = new RejectionBurstDetector(new ManualClock());
    const trips = Array.from({ length: 7 }, () => detector.record(update('rejected'), 'alpha', LIMIT));
    expect(trips.map((t) => t !== undefined)).toEqual([false, false, true, false, false, true, false]);
  });

  it('is off with count 0', () => {
    const detector = new RejectionBurstDetector(new ManualClock());
    for (let i = 0; i < 20; i++) {
      expect(detector.record(update('rejected'), 'alpha', { count: 0, windowMs: 1_000 })).toBeUndefined();
    }
  });
});

describe('RiskGateCore rejection burst', () => {
  const config = () =>
    limits({
      defaults: { killSwitch: { rejectionBurst: { count: 3, windowMs: 10_000 } } },
      strategies: { beta: { killSwitch: { rejectionBurst: { count: 0 } } } },
    });

  it('returns a strategy kill-switch effect on the status that completes the burst, counting each event id once', () => {
    const clock = new ManualClock();
    const core = gate(undefined, config(), clock);
    const orders = [1, 2, 3].map(() => orderRequest({ strategyId: 'alpha' }));
    for (const o of orders) core.state.recordAccepted(o);
    const first = update('rejected', { clientOrderId: orders[0]!.clientOrderId, reason: 'venue said no' });
    expect(core.onExecutionEvent(first).effects).toEqual([]);
    // The same event again (a redelivery) changes nothing.
    expect(core.onExecutionEvent(first).effects).toEqual([]);
    expect(core.onExecutionEvent(update('unknown', { clientOrderId: orders[1]!.clientOrderId })).effects).toEqual([]);
    const { effects } = core.onExecutionEvent(update('rejected', { clientOrderId: orders[2]!.clientOrderId }));
    expect(effects).toEqual([
      {
        kind: 'trip-kill-switch',
        scope: { kind: 'strategy', strategyId: 'alpha' },
        trigger: 'rejection-burst',
        reason: expect.stringMatching(/^rejection burst: 3 rejected or unknown orders of alpha within 10000 ms/),
      },
    ]);
  });

  it('attributes by our client order id when the request is not known, and skips orders placed outside Bourse', () => {
    const core = gate(undefined, config());
    const ours = (n: number) => orderRequest({ strategyId: 'gamma' }).clientOrderId.replace(/.$/, String(n));
    const effects = [1, 2, 3].flatMap(
      (n) => core.onExecutionEvent(update('rejected', { clientOrderId: ours(n) })).effects,
    );
    expect(effects).toContainEqual(expect.objectContaining({ scope: { kind: 'strategy', strategyId: 'gamma' } }));
    const external = [1, 2, 3, 4].flatMap(
      (n) => core.onExecutionEvent(update('rejected', { clientOrderId: `web_${n}` })).effects,
    );
    expect(external).toEqual([]);
  });

  it('follows the per-strategy setting (beta has it off)', () => {
    const core = gate(undefined, config());
    const effects = [1, 2, 3, 4, 5].flatMap((n) => {
      const o = orderRequest({ strategyId: 'beta' });
      core.state.recordAccepted(o);
      return core.onExecutionEvent(update('rejected', { clientOrderId: o.clientOrderId, eventId: `beta-${n}` }))
        .effects;
    });
    expect(effects).toEqual([]);
  });

  it('asks again at the next check when the HALTED write failed', () => {
    const core = gate(undefined, config());
    const effects = [1, 2, 3].flatMap((n) => {
      const o = orderRequest({ strategyId: 'alpha' });
      core.state.recordAccepted(o);
      return core.onExecutionEvent(update('rejected', { clientOrderId: o.clientOrderId, eventId: `retry-${n}` }))
        .effects;
    });
    expect(effects).toHaveLength(1);
    expect(core.checkKillSwitch()).toEqual([]);
    core.killSwitchWriteFailed(effects[0]!);
    expect(core.checkKillSwitch()).toEqual([{ ...effects[0], retry: true }]);
    expect(core.checkKillSwitch()).toEqual([]);
  });
});
