import { describe, it, expect } from 'vitest';
import { ClientOrderId, type OrderRequest, type OrderStatus } from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { OrderTracker } from '../order-tracker.js';
import { BTC, T0, fill, quote, report, request } from '../test-support.js';
import { checkMarketFallback } from './fallback-guards.js';
import { LimitChase, type LimitChaseParams, type TacticEffect } from './limit-chase.js';
import { CancelReplaceRateLimit } from './replace-rate-limit.js';

// The tactic driven through the real tracker: its effects become tracked orders and cancel requests,
// and venue reports reach it as the tracker's view of the child.

const CONSTRAINTS = { limitWindowMs: 10_000, marketFallback: true, maxSlippageBps: '50' };

class Harness {
  readonly tracker = new OrderTracker();
  readonly effects: TacticEffect[] = [];
  readonly notes: string[] = [];
  readonly chase: LimitChase;
  private seq = 0;

  constructor(
    parent: OrderRequest = request('p', { price: '101', constraints: CONSTRAINTS }),
    params: Partial<LimitChaseParams> = {},
  ) {
    this.chase = new LimitChase({
      parent,
      instrument: BTC,
      startedAt: T0,
      replaceIntervalMs: 2_000,
      maxReplacements: 3,
      placement: 'join',
      maxSpreadBps: dec('20'),
      nextClientOrderId: () => ClientOrderId.parse(`${parent.clientOrderId}-r${++this.seq}`),
      rateLimit: new CancelReplaceRateLimit({ maxPerWindow: 10, windowMs: 60_000 }),
      ...params,
    });
  }

  tick(at: number, bid: string, ask: string, bidQty = '5', askQty = '5'): TacticEffect[] {
    return this.run(this.chase.onTick(at, quote(bid, ask, at, bidQty, askQty)), at);
  }

  /** A venue report on the live child (cumulative qty), with the execution's fill when it is one. */
  venue(status: OrderStatus, filledQty: string, at: number, price = '100'): TacticEffect[] {
    const id = this.child();
    const quoteQty = dec(filledQty).times(dec(price)).toString();
    const before = this.tracker.get(id)?.order.filledQty ?? dec(0);
    const executed = dec(filledQty).minus(before);
    const f = executed.isPositive() ? fill(id, `${id}-${at}`, executed.toString(), price, at) : undefined;
    const change = this.tracker.applyExecutionReport(
      report(id, status, filledQty, quoteQty, at, { venueOrderId: undefined }),
      f,
    );
    expect(change.outcome).toBe('applied');
    return this.feed(id, at);
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
  it('places at the touch, counts a partial fill, and replaces only the remainder at the new touch', () => {
    const h = new Harness();
    const [first] = h.tick(T0, '100', '100.1');
    expect(first).toMatchObject({
      kind: 'submit',
      request: { clientOrderId: 'p', price: '100', qty: '1', style: 'limit' },
    });
    expect(first?.kind === 'submit' && first.request.constraints).toBeUndefined();
    expect(first?.kind === 'submit' && first.request.expiresAt).toBe(T0 + 10_000);
    h.venue('new', '0', T0 + 10);
    h.venue('partially-filled', '0.3', T0 + 500);

    expect(h.tick(T0 + 1_000, '100.05', '100.15')).toEqual([]); // before the interval: rests
    const cancel = h.tick(T0 + 2_000, '100.05', '100.15');
    expect(cancel).toEqual([{ kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT' }]);
    expect(h.chase.status().phase).toBe('canceling');
    // While the cancel is in flight another 0.2 fills; the venue confirms the cancel with 0.5 filled.
    h.venue('pending-cancel', '0.5', T0 + 2_010);
    const replaced = h.venue('canceled', '0.5', T0 + 2_020);
    expect(replaced).toMatchObject([
      { kind: 'submit', request: { clientOrderId: 'p-r1', qty: '0.5', price: '100.05' } },
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
      { kind: 'cancel', clientOrderId: 'p-r1', symbol: 'BTC/USDT' },
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
    expect(b.tick(T0 + 7_000, '100.01', '100.1')).toEqual([{ kind: 'cancel', clientOrderId: 'b', symbol: 'BTC/USDT' }]);
  });

  it('goes to market for the remainder at the window end when the guards pass', () => {
    const h = new Harness();
    h.tick(T0, '100', '100.1');
    h.venue('new', '0', T0 + 1);
    h.venue('partially-filled', '0.4', T0 + 100);
    expect(h.tick(T0 + 10_000, '100', '100.1', '5', '2')).toEqual([
      { kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT' },
    ]);
    const fallback = h.venue('canceled', '0.4', T0 + 10_010);
    expect(fallback).toHaveLength(1);
    const market = h.lastSubmitted();
    expect(market).toMatchObject({ clientOrderId: 'p-r1', style: 'market', qty: '0.6', expiresAt: T0 + 12_010 });
    expect(market.price).toBeUndefined();
    expect(market.timeInForce).toBeUndefined();
    expect(h.chase.status().fallback).toMatchObject({ allowed: true });
    const done = h.venue('filled', '0.6', T0 + 10_020, '100.1');
    expect(done[0]).toMatchObject({ kind: 'done', outcome: 'filled', filledQty: '1' });
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
    expect(abort.effects).toEqual([{ kind: 'cancel', clientOrderId: 'p', symbol: 'BTC/USDT' }]);
    const after = k.venue('canceled', '0', T0 + 10);
    expect(after[0]).toMatchObject({ kind: 'done', outcome: 'stopped', reason: 'aborted: kill switch' });
    expect(k.tick(T0 + 20_000, '99', '99.1')).toEqual([]);
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
