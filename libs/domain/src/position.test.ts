import { describe, it, expect } from 'vitest';
import { dec } from './decimal.js';
import { FillConflictError, InvalidArgumentError } from './errors.js';
import {
  applyFill,
  averageEntryPrice,
  costBasis,
  emptyPosition,
  feesInQuote,
  positionPnl,
  unrealizedPnl,
  type Fill,
} from './position.js';
import { PositionBook, compareFills, positionFromFills } from './position-book.js';

let nextId = 1;
function f(side: 'BUY' | 'SELL', qty: string, price: string, extra: Partial<Fill> = {}): Fill {
  const id = nextId++;
  return {
    fillId: String(id),
    strategyId: 'mm',
    instrument: 'BTC/USDT',
    side,
    qty: dec(qty),
    price: dec(price),
    atMs: id,
    ...extra,
  };
}
const fold = (...fills: Fill[]) => fills.reduce(applyFill, emptyPosition('mm', 'BTC/USDT'));

describe('applyFill', () => {
  it('builds a long, averages its entry and realizes P&L on a reduce', () => {
    const p = fold(f('BUY', '1', '100'), f('BUY', '3', '120'));
    expect(p.qty.toString()).toBe('4');
    expect(averageEntryPrice(p)?.toString()).toBe('115');
    expect(costBasis(p).toString()).toBe('460');
    const reduced = applyFill(p, f('SELL', '2', '130'));
    // FIFO: 1 @100 and 1 @120 close at 130.
    expect(reduced.realizedPnl.toString()).toBe('40');
    expect(reduced.qty.toString()).toBe('2');
    expect(averageEntryPrice(reduced)?.toString()).toBe('120');
    expect(unrealizedPnl(reduced, dec('110')).toString()).toBe('-20');
  });

  it('realizes on a flip through zero and opens the rest the other way', () => {
    const p = fold(f('BUY', '1', '100'), f('SELL', '3', '90'));
    expect(p.realizedPnl.toString()).toBe('-10');
    expect(p.qty.toString()).toBe('-2');
    expect(averageEntryPrice(p)?.toString()).toBe('90');
    expect(unrealizedPnl(p, dec('80')).toString()).toBe('20');
    const back = applyFill(p, f('BUY', '2', '85'));
    expect(back.qty.isZero()).toBe(true);
    expect(back.realizedPnl.toString()).toBe('0');
    expect(averageEntryPrice(back)).toBeUndefined();
    expect(back.lots).toEqual([]);
  });

  it('keeps fees apart by asset and converts those with a known price', () => {
    const p = fold(
      f('BUY', '1', '100', { fee: { asset: 'USDT', amount: dec('0.1') } }),
      f('BUY', '1', '100', { fee: { asset: 'BTC', amount: dec('0.001') } }),
      f('SELL', '2', '110', { fee: { asset: 'BNB', amount: dec('0.0005') } }),
    );
    expect(Object.fromEntries(Object.entries(p.fees).map(([k, v]) => [k, v.toString()]))).toEqual({
      USDT: '0.1',
      BTC: '0.001',
      BNB: '0.0005',
    });
    const unpriced = feesInQuote(p, dec('110'));
    expect(unpriced.converted.toString()).toBe('0.21');
    expect(unpriced.unconverted.BNB?.toString()).toBe('0.0005');
    const pnl = positionPnl(p, dec('110'), (asset) => (asset === 'BNB' ? dec('600') : undefined));
    expect([pnl.realized, pnl.unrealized, pnl.fees.converted, pnl.net].map(String)).toEqual([
      '20',
      '0',
      '0.51',
      '19.49',
    ]);
    expect(pnl.fees.unconverted).toEqual({});
  });

  it('applies the contract multiplier to P&L', () => {
    let p = emptyPosition('mm', 'BTC/USD', dec('0.001'));
    p = applyFill(p, { ...f('BUY', '10', '50000'), instrument: 'BTC/USD' });
    p = applyFill(p, { ...f('SELL', '4', '51000'), instrument: 'BTC/USD' });
    expect(p.realizedPnl.toString()).toBe('4');
    expect(unrealizedPnl(p, dec('49000')).toString()).toBe('-6');
  });

  it('refuses fills of another key or with a non-positive quantity or price', () => {
    const p = emptyPosition('mm', 'BTC/USDT');
    expect(() => applyFill(p, { ...f('BUY', '1', '1'), strategyId: 'other' })).toThrow(InvalidArgumentError);
    expect(() => applyFill(p, f('BUY', '0', '1'))).toThrow(/qty/);
    expect(() => applyFill(p, f('BUY', '1', '-1'))).toThrow(/price/);
    expect(() => emptyPosition('mm', 'BTCUSDT')).toThrow(/BASE\/QUOTE/);
    expect(() => unrealizedPnl(p, dec('0'))).toThrow(InvalidArgumentError);
  });
});

describe('PositionBook', () => {
  it('applies each venue fill once and refuses a different fill under a seen id', () => {
    const book = new PositionBook();
    const fill = f('BUY', '1', '100');
    expect(book.applyFill(fill).outcome).toBe('applied');
    expect(book.applyFill({ ...fill }).outcome).toBe('duplicate');
    const conflict = book.applyFill({ ...fill, qty: dec('2') });
    expect(conflict.outcome === 'rejected' && conflict.error).toBeInstanceOf(FillConflictError);
    expect(book.position('mm', 'BTC/USDT').qty.toString()).toBe('1');
    // The same trade id on another instrument is another fill.
    expect(book.applyFill({ ...fill, instrument: 'ETH/USDT' }).outcome).toBe('applied');
    expect(book.applyFill({ ...fill, instrument: 'nonsense' }).outcome).toBe('rejected');
  });

  it('slots a late fill into venue order and replays', () => {
    const [a, b, c] = [f('BUY', '1', '100'), f('SELL', '1', '110'), f('BUY', '1', '120')];
    const book = new PositionBook();
    book.applyFill(a);
    book.applyFill(c);
    const late = book.applyFill(b);
    expect(late.outcome === 'applied' && late.replayed).toBe(true);
    const inOrder = positionFromFills('mm', 'BTC/USDT', [a, b, c]);
    expect(book.position('mm', 'BTC/USDT').realizedPnl.toString()).toBe(inOrder.realizedPnl.toString());
    expect(inOrder.realizedPnl.toString()).toBe('10');
    expect(book.fills('mm', 'BTC/USDT').map((x) => x.fillId)).toEqual([a.fillId, b.fillId, c.fillId]);
  });

  it('lists the fills at or after a time, a late one included in venue order', () => {
    const [a, b, c] = [f('BUY', '1', '100'), f('SELL', '1', '110'), f('BUY', '1', '120')];
    const book = new PositionBook();
    for (const fill of [a, c, b]) book.applyFill(fill);
    expect(book.fillsSince('mm', 'BTC/USDT', b.atMs).map((x) => x.fillId)).toEqual([b.fillId, c.fillId]);
    expect(book.fillsSince('mm', 'BTC/USDT', c.atMs + 1)).toEqual([]);
    expect(book.fillsSince('mm', 'ETH/USDT', 0)).toEqual([]);
  });

  it('orders fills by time, then numerically by trade id', () => {
    const x = f('BUY', '1', '1', { fillId: '9', atMs: 5 });
    const y = f('BUY', '1', '1', { fillId: '10', atMs: 5 });
    expect(compareFills(x, y)).toBeLessThan(0);
    expect(compareFills({ ...x, atMs: 6 }, y)).toBeGreaterThan(0);
  });

  it('gives per-strategy, per-instrument and total views, per quote asset', () => {
    const book = new PositionBook();
    book.applyFill(f('BUY', '2', '100', { strategyId: 'a' }));
    book.applyFill(f('SELL', '1', '110', { strategyId: 'a', fee: { asset: 'BNB', amount: dec('0.01') } }));
    book.applyFill(f('SELL', '3', '105', { strategyId: 'b' }));
    book.applyFill(f('BUY', '1', '2000', { strategyId: 'b', instrument: 'ETH/BTC' }));
    const marks = (i: string) => (i === 'BTC/USDT' ? dec('100') : undefined);
    const btc = book.instrumentSummary('BTC/USDT', marks);
    expect(btc.netQty['BTC/USDT']?.toString()).toBe('-2');
    expect(btc.realized.USDT?.toString()).toBe('10');
    expect(btc.unrealized.USDT?.toString()).toBe('15'); // a: long 1 @100 → 0; b: short 3 @105 → 15
    const b = book.strategySummary('b', marks);
    expect(b.unmarked).toEqual(['ETH/BTC']);
    expect(Object.keys(b.realized).sort()).toEqual(['BTC', 'USDT']);
    const total = book.totalSummary(marks);
    expect(total.fees.BNB?.toString()).toBe('0.01');
    expect(book.byStrategy('a').map((p) => p.instrument)).toEqual(['BTC/USDT']);
    expect(book.byInstrument('BTC/USDT').map((p) => p.strategyId)).toEqual(['a', 'b']);
  });
});
