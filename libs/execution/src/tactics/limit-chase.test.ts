import { describe, it, expect } from 'vitest';
import { ClientOrderId, OrderRequest, type OrderStatus } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { isOrderManagerError, OrderManagerErrorCode } from '../errors.js';
import { OrderTracker } from '../order-tracker.js';
import { expiryOf } from '../shelf-life.js';
import { BTC, T0, fill, quote, report, request } from '../testing.js';
import { checkMarketFallback } from './fallback-guards.js';
import {
  LimitChase,
  type CancelReason,
  type ChaseChildProgress,
  type ChildRole,
  type LimitChaseParams,
  type LimitChaseProgress,
  type TacticEffect,
} from './limit-chase.js';
import { CancelReplaceRateLimit } from './replace-rate-limit.js';

// The tactic driven through the real tracker: its effects become tracked orders and cancel requests,
// and venue reports reach it as the tracker's view of the child.

const CONSTRAINTS = { limitWindowMs: 10_000, marketFallback: true, maxSlippageBps: '50' };

class Harness {
  readonly effects: TacticEffect[] = [];
  readonly notes: string[] = [];
  chase: LimitChase;
  private readonly params: LimitChaseParams;

  /** `tracker`: another harness's, to play a restarted OMS that restored the same orders. */
  constructor(
    parent: OrderRequest = request('p', { price: '101', constraints: CONSTRAINTS }),
    params: Partial<LimitChaseParams> = {},
    readonly tracker = new OrderTracker(),
  ) {
    this.params = {
      parent,
      instrument: BTC,
      startedAt: T0,
      replaceIntervalMs: 2_000,
      maxReplacements: 3,
      placement: 'join',
      maxSpreadBps: dec('20'),
      childClientOrderId: (seq) => ClientOrderId.parse(`${parent.clientOrderId}-r${seq}`),
      rateLimit: new CancelReplaceRateLimit({ maxPerWindow: 10, windowMs: 60_000 }),
      ...params,
    };
    this.chase = new LimitChase(this.params);
  }

  /** Replaces the chase with one rebuilt from stored progress at `at`, as a restarted OMS does. */
  resume(progress: LimitChaseProgress, at: number): TacticEffect[] {
    const { chase, step } = LimitChase.resume(this.params, progress, at);
    this.chase = chase;
    return this.run(step, at);
  }

  /** A stored child as the restarted shell hands it over: the record and the tracker's view. */
  stored(id: string, role: ChildRole, placedAt: number, cancelReason?: CancelReason): ChaseChildProgress {
    return { clientOrderId: id, role, placedAt, cancelReason, order: this.tracker.get(id)?.order };
  }

  tick(at: number, bid: string, ask: string, bidQty = '5', askQty = '5'): TacticEffect[] {
    return this.run(this.chase.onTick(at, quote(bid, ask, at, bidQty, askQty)), at);
  }

  /** A venue report on the live child (cumulative qty), with the execution's fill when it is one. */
  venue(status: OrderStatus, filledQty: string, at: number, price = '100'): TacticEffect[] {
    const id = this.child();
    this.report(id, status, filledQty, at, price);
    return this.feed(id, at);
  }

  /** A venue report applied to the tracker only: the chase never hears of it (the process died first). */
  report(id: string, status: OrderStatus, filledQty: string, at: number, price = '100'): void {
    const quoteQty = dec(filledQty).times(dec(price)).toString();
    const before = this.tracker.get(id)?.order.filledQty ?? dec(0);
    const executed = dec(filledQty).minus(before);
    const f = executed.isPositive() ? fill(id, `${id}-${at}`, executed.toString(), price, at) : undefined;
    const change = this.tracker.applyExecutionReport(
      report(id, status, filledQty, quoteQty, at, { venueOrderId: undefined }),
      f,
    );
    expect(change.outcome).toBe('applied');
  }

  child(): string {
    const id = this.chase.status().childClientOrderId;
    if (id === undefined) throw new Error('no live child');
    return id;
  }

  lastSubmitted(): OrderRequest {
    const submits = this.effects.filter((e) => e.kind === 'submit');
    const last = submits[submits.length - 1];
    if (last?.kind !== 'submit') throw new Error('nothing submitted');
    return last.request;
  }

  private feed(id: string, at: number): TacticEffect[] {
    const order = this.tracker.get(id)?.order;
    if (order === undefined) throw new Error(`${id} not tracked`);
    return this.run(this.chase.onOrderUpdate(order, at), at);
  }

  private run(step: { effects: readonly TacticEffect[]; notes: readonly string[] }, at: number): TacticEffect[] {
    this.notes.push(...step.notes);
    const out = [...step.effects];
    for (const effect of step.effects) {
      this.effects.push(effect);
      if (effect.kind === 'submit') this.tracker.track(effect.request, at);
      if (effect.kind === 'cancel') {
        this.tracker.applyLocal(effect.clientOrderId, { type: 'cancel-requested' }, at);
        out.push(...this.feed(effect.clientOrderId, at));
      }
    }
    return out;
  }
}

describe('LimitChase', () => {
  it("sends its first child no later than the decision's shelf life; the replacements keep the window", () => {
    const parent = request('p', { price: '101', constraints: CONSTRAINTS, expiresAt: T0 + 1_500 });
    const h = new Harness(parent);
    const [first] = h.tick(T0, '100', '100.1');
    expect(first?.kind === 'submit' && first.request.expiresAt).toBe(T0 + 1_500);
    h.venue('new', '0', T0 + 10);
    h.tick(T0 + 2_000, '100.05', '100.15'); // the replace interval: cancel, then a replacement
    h.venue('canceled', '0', T0 + 2_010);
    const replacement = h.lastSubmitted();
    expect(replacement.clientOrderId).toBe('p-r1');
    expect(replacement.expiresAt).toBe(T0 + 10_000);
  });

  it("places a first child past its decision's shelf life as a valid request the OMS refuses as expired, and ends on it", () => {
    // The chase waited (no quote yet) beyond the decision's shelf life.
    const parent = request('p', { price: '101', constraints: CONSTRAINTS, createdAt: T0, expiresAt: T0 + 1_500 });
    const h = new Harness(parent);
    const [first] = h.tick(T0 + 2_000, '100', '100.1');
    const child = first?.kind === 'submit' ? first.request : undefined;
    expect(child).toMatchObject({ clientOrderId: 'p', createdAt: T0, expiresAt: T0 + 1_500 });
    expect(OrderRequest.safeParse(child).success).toBe(true);
    expect(expiryOf(child as OrderRequest, T0 + 2_000)).toBeDefined();
    h.tracker.applyLocal('p', { type: 'expired', reason: 'expired: not sent' }, T0 + 2_001);
    const done = h.chase.onOrderUpdate(h.tracker.get('p')!.order, T0 + 2_001).effects;
    expect(done).toMatchObject([{ kind: 'done', outcome: 'stopped' }]);
  });

  it('places at the touch, counts a partial fill, and replaces only the remainder at the new touch', () => {
    const h = new Harness();
    const [first] = h.tick(T0, '100', '100.1');
    expect(first).toMatchObject({
      kind: 'submit',
      role: 'first',
      seq: undefined,
      request: { clientOrderId: 'p', price: '100', qty: '1', style: 'limit' },
    });
    expect(first?.kind === 'submit' && first.request.constraints).toBeUndefined();
    expect(first?.kind === 'submit' && first.request.expiresAt).toBe(T0 + 10_000);
    h.venue('new', '0', T0 + 10);
    h.venue('partially-filled', '0.3', T0 + 500);

    expect(h.tick(T0 + 1_000, '100.05', '100.15')).toEqual([]); // before the interval: rests
    const cancel = h.tick(T0 + 2_000, '100.05', '100.15');
    expect(cancel).toEqual([{ kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'replace' }]);
    expect(h.chase.status().phase).toBe('canceling');
    // While the cancel is in flight another 0.2 fills; the venue confirms the cancel with 0.5 filled.
    h.venue('pending-cancel', '0.5', T0 + 2_010);
    const replaced = h.venue('canceled', '0.5', T0 + 2_020);
    expect(replaced).toMatchObject([
      { kind: 'submit', role: 'replacement', seq: 1, request: { clientOrderId: 'p-r1', qty: '0.5', price: '100.05' } },
    ]);
    expect(h.chase.status()).toMatchObject({ phase: 'working', replacements: 1, childClientOrderId: 'p-r1' });
    expect(h.chase.status().filledQty.toString()).toBe('0.5');

    h.venue('new', '0', T0 + 2_030);
    const done = h.venue('filled', '0.5', T0 + 3_000, '100.05');
    expect(done).toEqual([
      { kind: 'done', outcome: 'filled', reason: 'parent quantity filled', filledQty: '1', remainingQty: '0' },
    ]);
    expect(h.tracker.positions.position('momo', 'BTC/USDT').qty.toString()).toBe('1');
  });

  it('does not replace an order that is still at the touch, not yet acknowledged, or already filled', () => {
    const h = new Harness();
    h.tick(T0, '100', '100.1');
    expect(h.tick(T0 + 2_000, '100.02', '100.1')).toEqual([]);
    expect(h.notes.at(-1)).toContain('waiting for the venue');
    h.venue('new', '0', T0 + 2_100);
    expect(h.tick(T0 + 2_200, '100', '100.2')).toEqual([]);
    expect(h.notes.at(-1)).toBe('still at the touch');
    const done = h.venue('filled', '1', T0 + 2_300);
    expect(done[0]).toMatchObject({ kind: 'done', outcome: 'filled' });
    expect(h.tick(T0 + 5_000, '101', '101.1')).toEqual([]);
  });

  it('stops replacing after maxReplacements and rests until the window ends', () => {
    const h = new Harness(undefined, { maxReplacements: 1 });
    h.tick(T0, '100', '100.1');
    h.venue('new', '0', T0 + 1);
    h.tick(T0 + 2_000, '100.01', '100.1');
    h.venue('canceled', '0', T0 + 2_001);
    expect(h.chase.status().replacements).toBe(1);
    h.venue('new', '0', T0 + 2_002);
    expect(h.tick(T0 + 4_100, '100.02', '100.1')).toEqual([]);
    expect(h.notes.at(-1)).toContain('max replacements (1) reached');
    expect(h.tick(T0 + 10_000, '100.03', '100.1')).toEqual([
      { kind: 'cancel', clientOrderId: 'p-r1', symbol: 'BTC/USDT', reason: 'window-end' },
    ]);
  });

  it('shares a per-instrument cancel/replace rate limit between tactics', () => {
    const limit = new CancelReplaceRateLimit({ maxPerWindow: 1, windowMs: 5_000 });
    const a = new Harness(request('a', { price: '101', constraints: CONSTRAINTS }), { rateLimit: limit });
    const b = new Harness(request('b', { price: '101', constraints: CONSTRAINTS }), { rateLimit: limit });
    for (const h of [a, b]) {
      h.tick(T0, '100', '100.1');
      h.venue('new', '0', T0 + 1);
    }
    expect(a.tick(T0 + 2_000, '100.01', '100.1')).toHaveLength(1);
    expect(b.tick(T0 + 2_000, '100.01', '100.1')).toEqual([]);
    expect(b.notes.at(-1)).toContain(`rate limit for BTC/USDT: next allowed at ${T0 + 7_000}`);
    expect(b.tick(T0 + 7_000, '100.01', '100.1')).toEqual([
      { kind: 'cancel', clientOrderId: 'b', symbol: 'BTC/USDT', reason: 'replace' },
    ]);
  });

  it('goes to market for the remainder at the window end when the guards pass', () => {
    const h = new Harness();
    h.tick(T0, '100', '100.1');
    h.venue('new', '0', T0 + 1);
    h.venue('partially-filled', '0.4', T0 + 100);
    expect(h.tick(T0 + 10_000, '100', '100.1', '5', '2')).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'window-end' },
    ]);
    const fallback = h.venue('canceled', '0.4', T0 + 10_010);
    expect(fallback).toHaveLength(1);
    const market = h.lastSubmitted();
    expect(market).toMatchObject({ clientOrderId: 'p-r1', style: 'market', qty: '0.6', expiresAt: T0 + 12_010 });
    expect(fallback[0]).toMatchObject({ kind: 'submit', role: 'fallback', seq: 1 });
    expect(market.price).toBeUndefined();
    expect(market.timeInForce).toBeUndefined();
    expect(h.chase.status().fallback).toMatchObject({ allowed: true });
    const done = h.venue('filled', '0.6', T0 + 10_020, '100.1');
    expect(done[0]).toMatchObject({ kind: 'done', outcome: 'filled', filledQty: '1' });
  });

  it("carries the decision's market data time on the first child only (tick-to-trade is the decision's)", () => {
    const h = new Harness(request('p', { price: '101', constraints: CONSTRAINTS, marketDataAt: T0 - 40 }));
    h.tick(T0, '100', '100.1');
    expect(h.lastSubmitted()).toMatchObject({ clientOrderId: 'p', marketDataAt: T0 - 40 });
    h.venue('new', '0', T0 + 1);
    h.tick(T0 + 10_000, '100', '100.1', '5', '2');
    h.venue('canceled', '0', T0 + 10_010);
    expect(h.lastSubmitted()).toMatchObject({ clientOrderId: 'p-r1', style: 'market' });
    expect(h.lastSubmitted().marketDataAt).toBeUndefined();
  });

  it.each([
    ['intent', { limitWindowMs: 10_000, marketFallback: false }, ['100', '100.1', '5'], 'does not allow'],
    ['spread', CONSTRAINTS, ['100', '100.5', '5'], 'spread 49.88 bps'],
    ['depth', CONSTRAINTS, ['100', '100.1', '0.5'], 'visible ask quantity 0.5'],
    ['slippage', CONSTRAINTS, ['100.6', '100.7', '5'], 'bps from the arrival mid 100.05'],
  ] as const)(
    'stops without a market order when the %s guard refuses',
    (guard, constraints, [bid, ask, askQty], says) => {
      const h = new Harness(request('p', { price: '101', constraints }));
      h.tick(T0, '100', '100.1');
      h.venue('new', '0', T0 + 1);
      h.tick(T0 + 10_000, bid, ask, '5', askQty);
      const done = h.venue('canceled', '0', T0 + 10_010);
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({ kind: 'done', outcome: 'stopped', filledQty: '0', remainingQty: '1' });
      expect(done[0]?.kind === 'done' && done[0].reason).toContain(says);
      expect(h.chase.status().fallback).toMatchObject({ allowed: false, guard });
      expect(h.effects.filter((e) => e.kind === 'submit')).toHaveLength(1);
    },
  );

  it('stops when the child ends without its cancel, and abort places nothing more', () => {
    const h = new Harness();
    h.tick(T0, '100', '100.1');
    h.venue('new', '0', T0 + 1);
    const external = h.venue('canceled', '0.1', T0 + 500);
    expect(external[0]).toMatchObject({ kind: 'done', outcome: 'stopped', filledQty: '0.1' });
    expect(external[0]?.kind === 'done' && external[0].reason).toContain('ended canceled');

    const k = new Harness();
    k.tick(T0, '100', '100.1');
    k.venue('new', '0', T0 + 1);
    const abort = k.chase.abort('kill switch');
    expect(abort.effects).toEqual([{ kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'abort' }]);
    const after = k.venue('canceled', '0', T0 + 10);
    expect(after[0]).toMatchObject({ kind: 'done', outcome: 'stopped', reason: 'aborted: kill switch' });
    expect(k.tick(T0 + 20_000, '99', '99.1')).toEqual([]);
  });

  it("ends rejected with the refusal's reason when the first order is refused, and places nothing more", () => {
    const h = new Harness();
    h.tick(T0, '100', '100.1');
    const reason = 'VENUE_INSUFFICIENT_BALANCE: Account has insufficient balance for requested action. (-2010)';
    h.tracker.applyLocal('p', { type: 'rejected', reason, by: 'venue' }, T0 + 5);
    const order = h.tracker.get('p')?.order;
    if (order === undefined) throw new Error('p not tracked');
    expect(h.chase.onOrderUpdate(order, T0 + 5).effects).toEqual([
      { kind: 'done', outcome: 'rejected', reason, filledQty: '0', remainingQty: '1' },
    ]);
    expect(h.tick(T0 + 20_000, '99', '99.1')).toEqual([]);
  });

  it('never chases past the parent limit, and improves by a tick when asked', () => {
    const capped = new Harness();
    capped.tick(T0, '101.5', '101.6');
    expect(capped.lastSubmitted().price).toBe('101');
    const improve = new Harness(undefined, { placement: 'improve' });
    improve.tick(T0, '100', '100.1');
    expect(improve.lastSubmitted().price).toBe('100.01');
    const sell = new Harness(request('s', { side: 'SELL', price: '99', constraints: CONSTRAINTS }), {
      placement: 'improve',
    });
    sell.tick(T0, '100', '100.01');
    expect(sell.lastSubmitted().price).toBe('100.01'); // no room inside a one-tick spread: join the ask
  });

  it('refuses a parent it cannot work', () => {
    expect(() => new Harness(request('m', { style: 'market', price: undefined, timeInForce: undefined }))).toThrow(
      /does not rest on the book/,
    );
    expect(() => new Harness(request('n'))).toThrow(/limitWindowMs/);
  });
});

// A restart is played by a second harness over the first one's tracker: the orders a restarted OMS
// restores, and the stored progress of the chase (its children, counter and arrival mid).
describe('LimitChase.resume', () => {
  /** The first child at 100 (touch 100 / 100.1, arrival mid 100.05), acknowledged. */
  function beforeRestart(params: Partial<LimitChaseParams> = {}): Harness {
    const before = new Harness(undefined, params);
    before.tick(T0, '100', '100.1');
    before.venue('new', '0', T0 + 10);
    return before;
  }

  function restarted(before: Harness, params: Partial<LimitChaseParams> = {}): Harness {
    return new Harness(undefined, params, before.tracker);
  }

  const MID = dec('100.05');

  it('adopts the live child, counts the fills from before the restart, and replaces only the remainder', () => {
    const before = beforeRestart();
    before.venue('partially-filled', '0.3', T0 + 500);
    const h = restarted(before);
    const progress = { children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: MID };
    expect(h.resume(progress, T0 + 1_000)).toEqual([]);
    expect(h.chase.status()).toMatchObject({ phase: 'working', childClientOrderId: 'p', replacements: 0 });
    expect(h.chase.status().filledQty.toString()).toBe('0.3');

    expect(h.tick(T0 + 2_000, '100.05', '100.15')).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'replace' },
    ]);
    const replaced = h.venue('canceled', '0.4', T0 + 2_010);
    expect(replaced).toMatchObject([
      { kind: 'submit', role: 'replacement', seq: 1, request: { clientOrderId: 'p-r1', qty: '0.6', price: '100.05' } },
    ]);
    h.venue('new', '0', T0 + 2_020);
    const done = h.venue('filled', '0.6', T0 + 3_000, '100.05');
    expect(done).toEqual([
      { kind: 'done', outcome: 'filled', reason: 'parent quantity filled', filledQty: '1', remainingQty: '0' },
    ]);
    expect(h.tracker.positions.position('momo', 'BTC/USDT').qty.toString()).toBe('1');
  });

  it('cancels at once when the window ended during the outage, then takes the guarded fallback on the first quote', () => {
    const before = beforeRestart();
    before.venue('partially-filled', '0.4', T0 + 100);
    const h = restarted(before);
    const progress = { children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: MID };
    expect(h.resume(progress, T0 + 12_000)).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'window-end' },
    ]);
    // No quote has arrived since the restart: the guards cannot be checked yet, so nothing is sent.
    expect(h.venue('canceled', '0.4', T0 + 12_010)).toEqual([]);
    expect(h.chase.status().phase).toBe('awaiting-quote');
    expect(h.notes.at(-1)).toContain('waiting for a two-sided quote before the fallback');
    const fallback = h.tick(T0 + 12_050, '100', '100.1', '5', '2');
    expect(fallback).toMatchObject([
      { kind: 'submit', role: 'fallback', seq: 1, request: { clientOrderId: 'p-r1', style: 'market', qty: '0.6' } },
    ]);
    expect(h.chase.status().fallback).toMatchObject({ allowed: true });
    const done = h.venue('filled', '0.6', T0 + 12_060, '100.1');
    expect(done[0]).toMatchObject({ kind: 'done', outcome: 'filled', filledQty: '1', remainingQty: '0' });
  });

  it('counts replacements made before the restart toward maxReplacements', () => {
    const before = beforeRestart({ maxReplacements: 1 });
    before.tick(T0 + 2_000, '100.01', '100.1');
    before.venue('canceled', '0', T0 + 2_001);
    before.venue('new', '0', T0 + 2_002);
    const h = restarted(before, { maxReplacements: 1 });
    const progress = {
      children: [h.stored('p', 'first', T0, 'replace'), h.stored('p-r1', 'replacement', T0 + 2_001)],
      nextChildSeq: 2,
      arrivalMid: MID,
    };
    expect(h.resume(progress, T0 + 3_000)).toEqual([]);
    expect(h.chase.status()).toMatchObject({ childClientOrderId: 'p-r1', replacements: 1 });
    expect(h.tick(T0 + 4_100, '100.02', '100.1')).toEqual([]);
    expect(h.notes.at(-1)).toContain('max replacements (1) reached');
    expect(h.tick(T0 + 10_000, '100.03', '100.1')).toEqual([
      { kind: 'cancel', clientOrderId: 'p-r1', symbol: 'BTC/USDT', reason: 'window-end' },
    ]);
  });

  it('with nothing live and quantity left, places a new child under the next counter, skipping one never journaled', () => {
    const before = beforeRestart();
    before.venue('partially-filled', '0.2', T0 + 100);
    before.tick(T0 + 2_000, '100.05', '100.15');
    // The cancel landed but the process died before the chase heard of it; the replacement p-r1 was
    // recorded and never journaled, so the venue never saw it.
    before.report('p', 'canceled', '0.2', T0 + 2_010);
    const h = restarted(before);
    const progress = {
      children: [h.stored('p', 'first', T0, 'replace'), h.stored('p-r1', 'replacement', T0 + 2_010)],
      nextChildSeq: 2,
      arrivalMid: MID,
    };
    expect(progress.children[1]?.order).toBeUndefined();
    expect(h.resume(progress, T0 + 3_000)).toEqual([]);
    expect(h.notes.at(-1)).toContain('before the replace');
    expect(h.tick(T0 + 3_010, '100.05', '100.15')).toMatchObject([
      { kind: 'submit', role: 'replacement', seq: 2, request: { clientOrderId: 'p-r2', qty: '0.8', price: '100.05' } },
    ]);
    expect(h.chase.status()).toMatchObject({ replacements: 1, childClientOrderId: 'p-r2' });
  });

  it('finishes at once when everything filled before the restart', () => {
    const before = beforeRestart();
    before.report('p', 'filled', '1', T0 + 100);
    const h = restarted(before);
    expect(h.resume({ children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: MID }, T0 + 200)).toEqual([
      { kind: 'done', outcome: 'filled', reason: 'parent quantity filled', filledQty: '1', remainingQty: '0' },
    ]);
  });

  it('ends rejected, never in a fallback, when the first order was refused before the restart and the window is over', () => {
    const before = new Harness();
    before.tick(T0, '100', '100.1');
    before.tracker.applyLocal('p', { type: 'rejected', reason: 'refused: HALTED', by: 'bourse' }, T0 + 5);
    const h = restarted(before);
    const at = T0 + CONSTRAINTS.limitWindowMs + 1;
    expect(h.resume({ children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: MID }, at)).toEqual([
      { kind: 'done', outcome: 'rejected', reason: 'refused: HALTED', filledQty: '0', remainingQty: '1' },
    ]);
    expect(h.tick(at + 1, '100', '100.1')).toEqual([]);
  });

  it('waits on a child whose outcome is unknown, even after the window, and acts once the venue answers', () => {
    const before = new Harness();
    before.tick(T0, '100', '100.1');
    before.tracker.applyLocal('p', { type: 'submit-timeout', reason: 'timeout' }, T0 + 5);
    const h = restarted(before);
    const progress = { children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: MID };
    expect(h.resume(progress, T0 + 12_000)).toEqual([]);
    expect(h.notes.at(-1)).toContain('child p is unknown; waiting for the venue');
    expect(h.tick(T0 + 12_100, '101', '101.1')).toEqual([]);
    h.venue('new', '0', T0 + 12_200);
    expect(h.tick(T0 + 12_300, '101', '101.1')).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'window-end' },
    ]);
  });

  it('sends again a cancel the old process recorded, since it may have died before sending it', () => {
    const before = beforeRestart();
    const h = restarted(before);
    const progress = { children: [h.stored('p', 'first', T0, 'replace')], nextChildSeq: 1, arrivalMid: MID };
    expect(h.resume(progress, T0 + 2_500)).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT', reason: 'replace' },
    ]);
    expect(h.chase.status().phase).toBe('canceling');
  });

  it('resumed before any child reached the venue, places the first child under the parent id', () => {
    const h = new Harness();
    const never: ChaseChildProgress = {
      clientOrderId: 'p',
      role: 'first',
      placedAt: T0,
      cancelReason: undefined,
      order: undefined,
    };
    expect(h.resume({ children: [never], nextChildSeq: 1, arrivalMid: undefined }, T0 + 100)).toEqual([]);
    expect(h.chase.status().phase).toBe('idle');
    expect(h.tick(T0 + 200, '100', '100.1')).toMatchObject([
      { kind: 'submit', role: 'first', seq: undefined, request: { clientOrderId: 'p', qty: '1', price: '100' } },
    ]);
  });

  it('refuses progress no chase could have stored', () => {
    const before = beforeRestart();
    before.tracker.track(request('p-r1', { price: '100' }), T0 + 20);
    const h = restarted(before);
    const attempts: LimitChaseProgress[] = [
      // Two live children at once.
      {
        children: [h.stored('p', 'first', T0), h.stored('p-r1', 'replacement', T0 + 20)],
        nextChildSeq: 2,
        arrivalMid: MID,
      },
      // The parent's id recorded as a replacement.
      { children: [h.stored('p', 'replacement', T0)], nextChildSeq: 2, arrivalMid: MID },
      // A child placed but no arrival mid: the fallback would have no reference.
      { children: [h.stored('p', 'first', T0)], nextChildSeq: 1, arrivalMid: undefined },
      { children: [], nextChildSeq: 0, arrivalMid: undefined },
    ];
    for (const progress of attempts) {
      let caught: unknown;
      try {
        h.resume(progress, T0 + 100);
      } catch (err) {
        caught = err;
      }
      expect(isOrderManagerError(caught, OrderManagerErrorCode.TACTIC_RESUME)).toBe(true);
    }
  });
});

describe('checkMarketFallback', () => {
  const base = {
    side: 'BUY' as const,
    remaining: dec('3'),
    quote: quote('100', '100.1', T0, '5', '1'),
    arrivalMid: dec('100.05'),
    constraints: CONSTRAINTS,
    maxSpreadBps: dec('20'),
  };

  it('walks the far side levels to estimate the price', () => {
    const ok = checkMarketFallback({
      ...base,
      farSide: [
        ['100.1', '1'],
        ['100.2', '1'],
        ['100.3', '5'],
      ],
    });
    expect(ok).toMatchObject({ allowed: true });
    expect(ok.allowed && ok.estimatedPrice.toString()).toBe('100.2');
    expect(ok.allowed && ok.slippageBps.toString()).toBe('14.99');
  });

  it('measures a SELL against the bid side', () => {
    const sell = checkMarketFallback({ ...base, side: 'SELL', remaining: dec('6') });
    expect(sell).toMatchObject({ allowed: false, guard: 'depth' });
    expect(checkMarketFallback({ ...base, side: 'SELL' })).toMatchObject({ allowed: true });
  });

  it('refuses when the intent gives no slippage bound or there is no quote', () => {
    expect(checkMarketFallback({ ...base, constraints: { limitWindowMs: 1, marketFallback: true } })).toMatchObject({
      allowed: false,
      guard: 'intent',
    });
    expect(checkMarketFallback({ ...base, quote: undefined })).toMatchObject({ allowed: false, guard: 'quote' });
  });
});
