import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { DepthSnapshot, DepthUpdateEvent } from './models.js';
import { LocalOrderBook, type DepthDiff } from './order-book.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test-data/${name}`, import.meta.url), 'utf8'));
const snapshot = DepthSnapshot.parse(fixture('depth-snapshot.json'));
const events = (fixture('depth-diffs.json') as { events: unknown[] }).events.map((e) => DepthUpdateEvent.parse(e));
const diff = (e: DepthUpdateEvent): DepthDiff => ({
  U: e.U,
  u: e.u,
  bids: e.b.map(([p, q]) => [p, q] as const),
  asks: e.a.map(([p, q]) => [p, q] as const),
});
const [stale1, stale2, straddling, next, afterGap] = events.map(diff) as [
  DepthDiff,
  DepthDiff,
  DepthDiff,
  DepthDiff,
  DepthDiff,
];

describe('LocalOrderBook (Binance diff-depth procedure)', () => {
  it('buffers, drops events older than the snapshot, applies the straddling one and continues', () => {
    const book = new LocalOrderBook('BNBBTC');
    for (const d of [stale1, stale2, straddling]) expect(book.onDiff(d).kind).toBe('buffered');
    expect(book.firstBufferedU).toBe(150);

    const synced = book.onSnapshot(snapshot);
    expect(synced).toEqual({ kind: 'synced', updateId: 162, appliedFromBuffer: 1 });
    // 0.00238 (from an event older than the snapshot) must not be in the book; 0.0023 was removed.
    expect(book.bids(10)).toEqual([
      ['0.0024', '12.00000000'],
      ['0.00239', '5.00000000'],
    ]);
    expect(book.asks(10)).toEqual([
      ['0.0026', '90.00000000'],
      ['0.00261', '20.00000000'],
      ['0.0027', '3.00000000'],
    ]);

    const applied = book.onDiff(next);
    expect(applied.kind).toBe('applied');
    expect(book.updateId).toBe(165);
    expect(book.bids(1)).toEqual([['0.00241', '3.00000000']]);
    // A removal of a level we never had (0.00999) is normal and changes nothing.
    expect(book.asks(10)).toEqual([
      ['0.00255', '4.00000000'],
      ['0.0026', '90.00000000'],
      ['0.0027', '3.00000000'],
    ]);
  });

  it('ignores a duplicated event and detects the gap, then rebuilds from a newer snapshot', () => {
    const book = new LocalOrderBook('BNBBTC');
    book.onDiff(straddling);
    book.onSnapshot(snapshot);
    book.onDiff(next);
    expect(book.onDiff(next).kind).toBe('stale');
    expect(book.onDiff(straddling).kind).toBe('stale');

    const gap = book.onDiff(afterGap);
    expect(gap).toEqual({ kind: 'gap', expectedU: 166, gotU: 170 });
    expect(book.synced).toBe(false);
    expect(book.bids(5)).toEqual([]);
    // The event that revealed the gap starts the new buffer.
    expect(book.firstBufferedU).toBe(170);

    // The old snapshot is now too old for the buffered event: the caller must fetch another.
    expect(book.onSnapshot(snapshot)).toEqual({ kind: 'snapshot-too-old', lastUpdateId: 160, firstBufferedU: 170 });
    const fresh = {
      lastUpdateId: 171,
      bids: [['0.00240000', '1.00000000']] as const,
      asks: [['0.00250000', '2.00000000']] as const,
    };
    const resynced = book.onSnapshot({
      lastUpdateId: fresh.lastUpdateId,
      bids: [...fresh.bids],
      asks: [...fresh.asks],
    });
    expect(resynced).toEqual({ kind: 'synced', updateId: 172, appliedFromBuffer: 1 });
    expect(book.bids(5)).toEqual([
      ['0.00242', '1.00000000'],
      ['0.0024', '1.00000000'],
    ]);
  });

  it('reports a gap when the first kept buffered event does not reach the snapshot', () => {
    const book = new LocalOrderBook('BNBBTC');
    book.onDiff(stale1);
    book.onDiff(afterGap);
    const result = book.onSnapshot(snapshot);
    expect(result).toEqual({ kind: 'gap', expectedU: 161, gotU: 170 });
    expect(book.synced).toBe(false);
  });

  it('refuses a snapshot before any event is buffered', () => {
    const book = new LocalOrderBook('BNBBTC');
    expect(book.onSnapshot(snapshot).kind).toBe('no-events');
  });

  it('keeps the buffer bounded', () => {
    const book = new LocalOrderBook('BNBBTC', 2);
    book.onDiff(stale1);
    book.onDiff(stale2);
    book.onDiff(straddling);
    expect(book.bufferedCount).toBe(2);
    expect(book.firstBufferedU).toBe(156);
  });

  it('orders prices numerically, not as text', () => {
    const book = new LocalOrderBook('X');
    book.onDiff({ U: 1, u: 1, bids: [], asks: [] });
    book.onSnapshot({
      lastUpdateId: 1,
      bids: [
        ['9.5', '1'],
        ['10.25', '1'],
        ['100', '1'],
      ],
      asks: [
        ['1000', '1'],
        ['200.5', '1'],
        ['99999.1', '1'],
      ],
    });
    expect(book.bids(3).map(([p]) => p)).toEqual(['100', '10.25', '9.5']);
    expect(book.asks(3).map(([p]) => p)).toEqual(['200.5', '1000', '99999.1']);
  });
});
