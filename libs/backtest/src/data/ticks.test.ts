import { describe, expect, it } from 'vitest';
import { BadRowError } from '../errors.js';
import { textSource } from './source.js';
import { readQuoteTicks, readTradeTicks } from './ticks.js';

describe('readQuoteTicks', () => {
  it('reads CSV with loose column names and keeps exact strings', async () => {
    const csv = [
      'timestamp,bid_price,Bid Size,ASK,askQty',
      '1700000000000,100.10,1.5,100.20,2',
      '1700000000000,100.1,0,100.1,3',
    ].join('\n');
    const { rows } = await readQuoteTicks(textSource(csv)).toArray();
    expect(rows).toEqual([
      {
        time: 1_700_000_000_000,
        line: 2,
        bidPrice: '100.1',
        bidQty: '1.5',
        askPrice: '100.2',
        askQty: '2',
        bidPriceNum: 100.1,
        bidQtyNum: 1.5,
        askPriceNum: 100.2,
        askQtyNum: 2,
      },
      // Same millisecond and a locked book (bid = ask) are both fine for ticks.
      expect.objectContaining({ line: 3, bidPrice: '100.1', askPrice: '100.1', bidQty: '0' }),
    ]);
  });

  it('reads NDJSON, detected from the first line, with string or number values', async () => {
    const ndjson = [
      '{"ts":"2024-01-02T00:00:00.001Z","bid":"0.00001234","bidQty":"1000","ask":"0.00001240","askQty":"5"}',
      '{"ts":1704153600002,"bid":1e-7,"bidQty":10,"ask":0.0000002,"askQty":3.5}',
    ].join('\n');
    const { rows } = await readQuoteTicks(textSource(ndjson)).toArray();
    expect(rows.map((q) => [q.time, q.bidPrice, q.askPrice, q.askQty])).toEqual([
      [Date.UTC(2024, 0, 2, 0, 0, 0, 1), '0.00001234', '0.0000124', '5'],
      [Date.UTC(2024, 0, 2, 0, 0, 0, 2), '0.0000001', '0.0000002', '3.5'],
    ]);
  });

  it('reports crossed quotes, time going back, bad JSON and missing keys by line', async () => {
    const ndjson = [
      '{"t":1000000000000,"bid":"10","bidQty":"1","ask":"11","askQty":"1"}',
      '{"t":1000000000001,"bid":"12","bidQty":"1","ask":"11","askQty":"1"}',
      '{"t":999999999999,"bid":"10","bidQty":"1","ask":"11","askQty":"1"}',
      '{"t":1000000000002,"bid":"10",',
      '[1,2]',
      '{"t":1000000000003,"bid":"10","ask":"11","askQty":"1"}',
      '{"t":1000000000004,"bid":{"px":1},"bidQty":"1","ask":"11","askQty":"1"}',
      '{"t":1000000000005,"bid":"10","bidQty":"1","ask":"11","askQty":"1"}',
    ].join('\n');
    const result = await readQuoteTicks(textSource(ndjson), { onBadRow: 'skip' }).toArray();
    expect(result.rows.map((q) => q.line)).toEqual([1, 8]);
    expect(result.badRows.map((r) => [r.line, r.field])).toEqual([
      [2, 'bidPrice'],
      [3, 'time'],
      [4, 'row'],
      [5, 'row'],
      [6, 'bidQty'],
      [7, 'bid'],
    ]);
    expect(result.badRows[0]!.reason).toBe('12 is above askPrice 11 (crossed quote)');
    expect(result.badRows[3]!.reason).toBe('is not a JSON object');
    expect(result.badRows[4]!.reason).toBe('is missing');
  });
});

describe('readTradeTicks', () => {
  it('reads trades with optional side and id from CSV', async () => {
    const csv = [
      'time,price,qty,side,trade_id',
      '2024-01-02T00:00:00Z,42000.5,0.001,buy,17',
      '2024-01-02T00:00:00Z,42000.4,0.5,S,',
      '2024-01-02T00:00:01Z,42000,1,,18',
    ].join('\n');
    const { rows } = await readTradeTicks(textSource(csv), { format: 'csv' }).toArray();
    expect(rows).toEqual([
      {
        time: Date.UTC(2024, 0, 2),
        line: 2,
        price: '42000.5',
        qty: '0.001',
        priceNum: 42000.5,
        qtyNum: 0.001,
        side: 'BUY',
        id: '17',
      },
      {
        time: Date.UTC(2024, 0, 2),
        line: 3,
        price: '42000.4',
        qty: '0.5',
        priceNum: 42000.4,
        qtyNum: 0.5,
        side: 'SELL',
      },
      { time: Date.UTC(2024, 0, 2, 0, 0, 1), line: 4, price: '42000', qty: '1', priceNum: 42000, qtyNum: 1, id: '18' },
    ]);
  });

  it('stops at a zero quantity or unknown side with the line number', async () => {
    const csv = 'time,price,qty,side\n1,10,1,BUY\n2,10,0,BUY\n';
    await expect(readTradeTicks(textSource(csv), { name: 'trades.csv' }).toArray()).rejects.toThrow(
      new BadRowError('trades.csv', { line: 3, field: 'qty', reason: 'is zero: a trade moves some quantity', text: '' })
        .message,
    );
    const sides = 'time,price,qty,side\n1,10,1,HOLD\n';
    await expect(readTradeTicks(textSource(sides)).toArray()).rejects.toThrow(
      'input line 2: side "HOLD" is not BUY or SELL',
    );
  });

  it('names the missing columns of a bad header', async () => {
    await expect(readTradeTicks(textSource('time,amount\n1,2\n')).toArray()).rejects.toThrow(
      /lacks price: expected time/,
    );
  });
});
