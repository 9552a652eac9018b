import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { LocalOrderBook, type DepthDiff } from './order-book.js';

// Property: whatever the network does to the diff stream (drop, duplicate, reorder), whenever the
// local book says it is synced, it equals the venue's true book at the book's update id.

type Side = Map<string, string>;
interface TrueBook {
  bids: Side;
  asks: Side;
}

const price = fc.integer({ min: 1, max: 30 }).map((n) => (n / 10).toFixed(1));
const qty = fc.oneof(fc.constant('0'), fc.integer({ min: 1, max: 9 }).map(String));
const levels = fc.array(fc.tuple(price, qty), { maxLength: 4 });
const change = fc.record({ bids: levels, asks: levels, span: fc.integer({ min: 1, max: 3 }) });

function apply(book: TrueBook, d: { bids: [string, string][]; asks: [string, string][] }): void {
  const set = (side: Side, p: string, q: string): void => {
    if (q === '0') side.delete(p);
    else side.set(p, q);
  };
  for (const [p, q] of d.bids) set(book.bids, p, q);
  for (const [p, q] of d.asks) set(book.asks, p, q);
}

const asLevels = (side: Side, desc: boolean) =>
  [...side.entries()]
    .sort(([a], [b]) => (desc ? Number(b) - Number(a) : Number(a) - Number(b)))
    .map(([p, q]) => `${Number(p)}@${q}`);

describe('LocalOrderBook property', () => {
  it('is either resyncing or equal to the true book at its update id', () => {
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 40 }),
        fc.array(fc.constantFrom('deliver', 'drop', 'duplicate', 'swap'), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 0, max: 39 }),
        (changes, fate, snapshotAt) => {
          // The venue: a sequence of diffs and the true book after each update id.
          const truth: TrueBook = { bids: new Map(), asks: new Map() };
          const history = new Map<number, { bids: string[]; asks: string[] }>();
          history.set(0, { bids: [], asks: [] });
          const diffs: DepthDiff[] = [];
          let id = 0;
          for (const c of changes) {
            const U = id + 1;
            id += c.span;
            apply(truth, c);
            history.set(id, { bids: asLevels(truth.bids, true), asks: asLevels(truth.asks, false) });
            diffs.push({ U, u: id, bids: c.bids, asks: c.asks });
          }
          const snapshotIndex = Math.min(snapshotAt, diffs.length - 1);
          const snapshotId = diffs[snapshotIndex]!.u;

          // The network.
          const delivered: DepthDiff[] = [];
          for (let i = 0; i < diffs.length; i++) {
            const f = fate[i] ?? 'deliver';
            if (f === 'drop') continue;
            delivered.push(diffs[i]!);
            if (f === 'duplicate') delivered.push(diffs[i]!);
            if (f === 'swap' && delivered.length >= 2) {
              const last = delivered.length - 1;
              [delivered[last - 1], delivered[last]] = [delivered[last]!, delivered[last - 1]!];
            }
          }

          const book = new LocalOrderBook('X');
          let snapshotTaken = false;
          const check = () => {
            if (!book.synced) return;
            const expected = history.get(book.updateId);
            expect(expected).toBeDefined();
            expect(book.bids(100).map(([p, q]) => `${Number(p)}@${q}`)).toEqual(expected!.bids);
            expect(book.asks(100).map(([p, q]) => `${Number(p)}@${q}`)).toEqual(expected!.asks);
          };
          for (const d of delivered) {
            book.onDiff(d);
            if (!snapshotTaken && !book.synced && book.bufferedCount > 0 && d.u >= snapshotId) {
              snapshotTaken = true;
              const h = history.get(snapshotId)!;
              const toLevels = (xs: string[]) => xs.map((x) => x.split('@') as [string, string]);
              book.onSnapshot({ lastUpdateId: snapshotId, bids: toLevels(h.bids), asks: toLevels(h.asks) });
            }
            check();
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
