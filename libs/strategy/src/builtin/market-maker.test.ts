import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FillEvent, Quote } from '@bourse/contracts';
import { dec, spotInstrument } from '@bourse/domain';
import { marketMaker } from './market-maker.js';
import { snapshotContext, type ContextSnapshot } from '../sdk/context.js';
import { ManualClock, SYMBOL } from '../test-support.js';
import type { OpenOrderView } from '../types.js';

const spec = spotInstrument(SYMBOL, 'binance', 'BTCUSDT', {
  tickSize: dec('0.01'),
  stepSize: dec('0.001'),
  minQty: dec('0.001'),
});

function quote(bid: string, ask: string): Quote {
  return {
    v: 1,
    venue: 'binance',
    instrument: SYMBOL as Quote['instrument'],
    bidPrice: bid,
    bidQty: '1',
    askPrice: ask,
    askQty: '1',
    receivedAt: 1,
  };
}

function instance(params: Record<string, unknown> = {}) {
  return marketMaker.instantiate({
    params: { qty: '1', maxInventory: '2', spreadBps: 20, skewBps: 10, requoteBps: 5, quoteTtlMs: 10_000, ...params },
    instruments: [SYMBOL],
  });
}

const clock = new ManualClock();
const ctx = (s: Omit<ContextSnapshot, 'instruments'> = {}) => snapshotContext({ ...s, instruments: [spec] }, clock);
const order = (side: 'BUY' | 'SELL', qty: string, filledQty = '0'): OpenOrderView => ({
  clientOrderId: `c-${side}-${qty}`,
  instrument: SYMBOL,
  side,
  style: 'limit-maker',
  qty,
  filledQty,
  price: '1',
  status: 'new',
});
const sides = (drafts: readonly { side: string; price?: string; qty?: string }[]) =>
  drafts.map((d) => [d.side, d.price, d.qty]);

describe('market-maker', () => {
  it('quotes around the mid with the spread, only the bid when flat without shorting (hand-checked)', () => {
    // mid 100.05; half spread 10 bps: bid 100.05 × 0.999 = 99.94995 → 99.94 (down), no ask: nothing to sell.
    const drafts = instance().onQuote(quote('100.00', '100.10'), ctx());
    expect(sides(drafts)).toEqual([['BUY', '99.94', '1']]);
    expect(drafts[0]).toMatchObject({
      style: 'limit-maker',
      constraints: { limitWindowMs: 10_000, marketFallback: false },
      expiresAt: clock.now() + 10_000,
      reduceOnly: false,
    });
    expect(drafts[0]!.timeInForce).toBeUndefined();
    expect(drafts[0]!.inputs).toMatchObject({
      reason: 'first-quote',
      mid: '100.05',
      inventory: '0',
      inventoryRatio: '0',
    });
  });

  it('skews both quotes down when long (hand-checked)', () => {
    // inventory 1 of 2 → ratio 0.5 → skew 5 bps: bid 100.05 × 0.9985 = 99.899925 → 99.89;
    // ask 100.05 × 1.0005 = 100.100025 → 100.11 (up).
    const drafts = instance().onQuote(quote('100.00', '100.10'), ctx({ positions: { [SYMBOL]: { qty: '1' } } }));
    expect(sides(drafts)).toEqual([
      ['BUY', '99.89', '1'],
      ['SELL', '100.11', '1'],
    ]);
  });

  it('cuts sizes so the position plus open orders never passes max inventory', () => {
    // bid room 2 - 1.5 - (0.5 - 0.1) = 0.1; ask room 1.5 - 1 = 0.5.
    const drafts = instance().onQuote(
      quote('100.00', '100.10'),
      ctx({ positions: { [SYMBOL]: { qty: '1.5' } }, openOrders: [order('BUY', '0.5', '0.1'), order('SELL', '1')] }),
    );
    expect(drafts.map((d) => [d.side, d.qty])).toEqual([
      ['BUY', '0.1'],
      ['SELL', '0.5'],
    ]);
    const full = instance().onQuote(quote('100.00', '100.10'), ctx({ positions: { [SYMBOL]: { qty: '2' } } }));
    expect(full.map((d) => d.side)).toEqual(['SELL']);
  });

  it('re-quotes when the mid moves by requoteBps, after a fill, and when no quote is left', () => {
    const mm = instance();
    const resting = ctx({ openOrders: [order('BUY', '1')] });
    expect(mm.onQuote(quote('100.00', '100.10'), ctx())).toHaveLength(1);
    // mid 100.06 moved 1 bp: quotes still rest → nothing.
    expect(mm.onQuote(quote('100.01', '100.11'), resting)).toEqual([]);
    // mid 100.10 moved 0.05 < 5 bps of 100.05 (0.050025): nothing; mid 100.11 moved 0.06: re-quote.
    expect(mm.onQuote(quote('100.05', '100.15'), resting)).toEqual([]);
    const moved = mm.onQuote(quote('100.06', '100.16'), resting);
    expect(moved.map((d) => d.inputs?.reason)).toEqual(['mid-moved']);
    // No quote resting: quote again at the same mid.
    expect(mm.onQuote(quote('100.05', '100.15'), ctx()).map((d) => d.inputs?.reason)).toEqual(['no-open-quotes']);
    const fill = { instrument: SYMBOL } as FillEvent;
    const afterFill = mm.onFill(
      fill,
      ctx({ quotes: [quote('100.05', '100.15')], positions: { [SYMBOL]: { qty: '1' } } }),
    );
    expect(afterFill.map((d) => [d.side, d.inputs?.reason])).toEqual([
      ['BUY', 'filled'],
      ['SELL', 'filled'],
    ]);
  });

  it('quotes the ask down to -maxInventory when shorting is allowed', () => {
    const drafts = instance({ allowShort: true }).onQuote(quote('100.00', '100.10'), ctx());
    expect(sides(drafts)).toEqual([
      ['BUY', '99.94', '1'],
      ['SELL', '100.16', '1'],
    ]);
  });

  it('never exceeds max inventory, never crosses the book, keeps bid below ask (random)', () => {
    const qty = fc.integer({ min: 0, max: 3000 }).map((n) => dec(n).div(dec(1000), 3));
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 10_000_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: -3000, max: 3000 }),
        fc.array(fc.tuple(fc.constantFrom('BUY' as const, 'SELL' as const), qty), { maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 2000 }),
        (bidTicks, widthTicks, posMilli, opens, allowShort, spreadBps, skewBps) => {
          const bid = dec(bidTicks).div(dec(100), 2);
          const ask = bid.plus(dec(widthTicks).div(dec(100), 2));
          const position = dec(posMilli).div(dec(1000), 3);
          const openOrders = opens.map(([side, q], i) => ({
            ...order(side, q.isZero() ? '0.001' : q.toString()),
            clientOrderId: `o${i}`,
          }));
          const mm = instance({ allowShort, spreadBps, skewBps, maxInventory: '2' });
          const drafts = mm.onQuote(
            quote(bid.toString(), ask.toString()),
            ctx({ positions: { [SYMBOL]: { qty: position.toString() } }, openOrders }),
          );
          const open = (side: string) =>
            openOrders.filter((o) => o.side === side).reduce((s, o) => s.plus(dec(o.qty)), dec(0));
          const max = dec(2);
          const min = allowShort ? max.neg() : dec(0);
          for (const d of drafts) {
            const q = dec(d.qty!);
            const p = dec(d.price!);
            expect(q.isPositive() && p.isPositive()).toBe(true);
            if (d.side === 'BUY') {
              expect(position.plus(open('BUY')).plus(q).lte(max)).toBe(true);
              expect(p.lt(ask)).toBe(true);
            } else {
              expect(position.minus(open('SELL')).minus(q).gte(min)).toBe(true);
              expect(p.gt(bid)).toBe(true);
            }
          }
          const b = drafts.find((d) => d.side === 'BUY');
          const a = drafts.find((d) => d.side === 'SELL');
          if (b && a) expect(dec(b.price!).lt(dec(a.price!))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses to quote an instrument it has no tick and lot for', () => {
    const bare = snapshotContext({}, clock);
    expect(() => instance().onQuote(quote('100.00', '100.10'), bare)).toThrow(
      /onQuote: no instrument with symbol "BTC\/USDT"/,
    );
  });
});
