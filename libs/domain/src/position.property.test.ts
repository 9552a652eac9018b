import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Decimal, ZERO, dec } from './decimal.js';
import { applyFill, emptyPosition, samePosition, unrealizedPnl, type Fill } from './position.js';
import { PositionBook, compareFills } from './position-book.js';

// Fills on one (strategy, instrument): distinct times, integer ids, quantities on a 0.001 grid,
// prices on a 0.01 grid, an optional fee in quote, base or BNB.
const money = (min: number, max: number, scale: number) =>
  fc.integer({ min, max }).map((u) => Decimal.fromUnits(BigInt(u), scale));
const fillsArb = fc
  .array(
    fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      qty: money(1, 5_000, 3),
      price: money(1, 50_000, 2),
      fee: fc.option(fc.record({ asset: fc.constantFrom('USDT', 'BTC', 'BNB'), amount: money(0, 1_000, 6) }), {
        nil: undefined,
      }),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((rows) =>
    rows.map((r, i): Fill => ({
      ...r,
      fillId: String(1000 + i),
      strategyId: 's',
      instrument: 'BTC/USDT',
      atMs: 10 * (i + 1),
    })),
  );

const inVenueOrder = (fills: Fill[]) => [...fills].sort(compareFills).reduce(applyFill, emptyPosition('s', 'BTC/USDT'));

function viaBook(fills: Fill[]) {
  const book = new PositionBook();
  for (const f of fills) expect(book.applyFill(f).outcome).not.toBe('rejected');
  return book.position('s', 'BTC/USDT');
}

/** Splits a fill into `parts` pieces of the same side, price and time; the fee goes with the first piece. */
function split(fill: Fill, cuts: number[]): Fill[] {
  const units = fill.qty.units;
  const points = [...new Set(cuts.map((c) => BigInt(c) % units).filter((c) => c > 0n))].sort((a, b) =>
    a < b ? -1 : 1,
  );
  const edges = [0n, ...points, units];
  return edges.slice(1).map((end, j) => ({
    ...fill,
    fillId: `${fill.fillId}-${j}`,
    qty: Decimal.fromUnits(end - edges[j]!, fill.qty.scale),
    fee: j === 0 ? fill.fee : undefined,
  }));
}

describe('position properties', () => {
  it('a checkpoint of the first fills plus the later ones, in any order, is the position of all of them', () => {
    fc.assert(
      fc.property(
        fillsArb
          .map((fills) => [...fills].sort(compareFills))
          .chain((sorted) => fc.tuple(fc.constant(sorted), fc.integer({ min: 0, max: sorted.length })))
          .chain(([sorted, cut]) =>
            fc.tuple(
              fc.constant(sorted),
              fc.constant(cut),
              fc.shuffledSubarray(sorted.slice(cut), { minLength: sorted.length - cut }),
            ),
          ),
        ([sorted, cut, later]) => {
          const covered = sorted.slice(0, cut);
          const book = new PositionBook();
          book.restore(covered.reduce(applyFill, emptyPosition('s', 'BTC/USDT')));
          for (const f of covered) book.restoreCovered(f);
          // The later fills in any order, then every fill again: the covered ones are duplicates too.
          for (const f of [...later, ...sorted]) expect(book.applyFill(f).outcome).not.toBe('rejected');
          expect(samePosition(book.position('s', 'BTC/USDT'), inVenueOrder(sorted))).toBe(true);
        },
      ),
    );
  });

  it('any split, shuffle or duplication of the same fills gives the same position', () => {
    fc.assert(
      fc.property(
        fillsArb
          .chain((fills) =>
            fc.tuple(
              fc.constant(fills),
              fc.array(fc.array(fc.integer({ min: 1, max: 4_999 }), { maxLength: 3 }), {
                minLength: fills.length,
                maxLength: fills.length,
              }),
            ),
          )
          .chain(([fills, cuts]) => {
            const pieces = fills.flatMap((f, i) => split(f, cuts[i] ?? []));
            return fc.tuple(
              fc.constant(fills),
              fc.shuffledSubarray(pieces, { minLength: pieces.length }),
              fc.subarray(pieces),
            );
          }),
        ([fills, shuffled, repeats]) => {
          const expected = inVenueOrder(fills);
          const got = viaBook([...shuffled, ...repeats]);
          expect(samePosition(got, expected)).toBe(true);
          expect(got.qty.toString()).toBe(expected.qty.toString());
          expect(got.realizedPnl.toString()).toBe(expected.realizedPnl.toString());
        },
      ),
    );
  });

  it('buying and selling the same quantities at the same prices, no fees, in any order, gives zero P&L', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(money(1, 5_000, 3), money(1, 50_000, 2)), { minLength: 1, maxLength: 10 }).chain((legs) =>
          fc.shuffledSubarray(
            legs.flatMap(([qty, price]) => [
              { side: 'BUY' as const, qty, price },
              { side: 'SELL' as const, qty, price },
            ]),
            { minLength: legs.length * 2 },
          ),
        ),
        (legs) => {
          const fills = legs.map((l, i): Fill => ({
            ...l,
            fillId: String(i),
            strategyId: 's',
            instrument: 'BTC/USDT',
            atMs: i,
          }));
          const p = viaBook(fills);
          expect(p.qty.isZero()).toBe(true);
          expect(p.realizedPnl.toString()).toBe('0');
          expect(p.lots).toEqual([]);
        },
      ),
    );
  });

  it('realized + unrealized always equals the cash flow of the fills plus the open quantity at the mark', () => {
    fc.assert(
      fc.property(fillsArb, money(1, 50_000, 2), (fills, mark) => {
        const p = viaBook(fills);
        let cash = ZERO;
        let qty = ZERO;
        for (const f of fills) {
          const notional = f.qty.times(f.price);
          cash = f.side === 'BUY' ? cash.minus(notional) : cash.plus(notional);
          qty = f.side === 'BUY' ? qty.plus(f.qty) : qty.minus(f.qty);
        }
        expect(p.qty.eq(qty)).toBe(true);
        expect(p.realizedPnl.plus(unrealizedPnl(p, mark)).eq(cash.plus(qty.times(mark)))).toBe(true);
        // Lots always hold exactly the open quantity, on one side.
        const lotsQty = p.lots.reduce((s, l) => s.plus(l.qty), dec('0'));
        expect(lotsQty.eq(qty.abs())).toBe(true);
      }),
    );
  });
});
