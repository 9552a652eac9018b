import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadHeaderError, BadRowError } from '../errors.js';
import { readBarsCsv } from './bars.js';
import { textSource } from './source.js';

// The shared sample lives beside the repository (shared/ next to main/), never copied into it.
const GOOG = fileURLToPath(new URL('../../../../../shared/data/GOOG.csv', import.meta.url));

const DAY = 86_400_000;

describe('readBarsCsv on GOOG.csv (unnamed date column, capitalised names)', () => {
  it('reads every bar exactly, dates at 00:00 UTC, in order', async () => {
    expect(existsSync(GOOG), `${GOOG} is missing: it is shared/data/GOOG.csv beside the repository`).toBe(true);
    const result = await readBarsCsv(GOOG, { onBadRow: 'stop' }).toArray();
    // 2149 lines: the header and 2148 bars.
    expect(result.rows).toHaveLength(2148);
    expect(result.rowsRead).toBe(2148);
    expect(result.badRowCount).toBe(0);
    expect(result.source).toBe(GOOG);
    const first = result.rows[0]!;
    // Line 2: 2004-08-19,100,104.06,95.96,100.34,22351900
    expect(first).toEqual({
      time: Date.UTC(2004, 7, 19),
      line: 2,
      open: '100',
      high: '104.06',
      low: '95.96',
      close: '100.34',
      volume: '22351900',
      openNum: 100,
      highNum: 104.06,
      lowNum: 95.96,
      closeNum: 100.34,
      volumeNum: 22351900,
    });
    expect(result.rows[1]!.time - first.time).toBe(DAY);
    expect(result.rows.at(-1)!.line).toBe(2149);
    for (let i = 1; i < result.rows.length; i += 1) {
      expect(result.rows[i]!.time).toBeGreaterThan(result.rows[i - 1]!.time);
    }
  });
});

describe('readBarsCsv header and formats', () => {
  it('takes columns in any case and order, ignores others, and drops adj close unless asked', async () => {
    const csv = [
      'VOLUME,close,Symbol,Low,HIGH,Open,Adj Close,timestamp',
      '10,101.50,X,99,102,100,50.75,1700000000000',
      '"1,5e3",102,X,100,103,101.5,51,1700000060000',
    ].join('\r\n');
    const plain = await readBarsCsv(textSource(csv), { onBadRow: 'skip' }).toArray();
    // "1,5e3" is quoted and holds a comma: not a number, so the second row is bad.
    expect(plain.rows).toHaveLength(1);
    expect(plain.badRows).toEqual([
      {
        line: 3,
        field: 'volume',
        reason: '"1,5e3" is not a number',
        text: '"1,5e3",102,X,100,103,101.5,51,1700000060000',
      },
    ]);
    expect(plain.rows[0]).toMatchObject({
      time: 1_700_000_000_000,
      open: '100',
      high: '102',
      low: '99',
      close: '101.5',
    });
    expect(plain.rows[0]).not.toHaveProperty('adjClose');

    const kept = await readBarsCsv(textSource(csv.replace('"1,5e3"', '1.5E3')), { adjClose: 'keep' }).toArray();
    expect(kept.rows.map((b) => [b.volume, b.adjClose])).toEqual([
      ['10', '50.75'],
      ['1500', '51'],
    ]);
  });

  it('reads epoch seconds and ISO date-times, and skips blank lines', async () => {
    const csv = 'date,open,high,low,close,volume\n1700000000,1,1,1,1,0\n\n2023-11-14T23:14:20+01:00,1,2,1,2,5\n';
    const { rows, badRowCount } = await readBarsCsv(textSource(csv)).toArray();
    // 1700000000 s = 2023-11-14T22:13:20Z; 23:14:20+01:00 = 22:14:20Z, one minute later.
    expect(badRowCount).toBe(0);
    expect(rows.map((b) => [b.time, b.line])).toEqual([
      [1_700_000_000_000, 2],
      [1_700_000_060_000, 4],
    ]);
  });

  it('rejects a header without the needed columns, naming them', async () => {
    const reading = readBarsCsv(textSource('Date,Open,High,Low\n2024-01-01,1,1,1\n')).toArray();
    await expect(reading).rejects.toBeInstanceOf(BadHeaderError);
    await expect(readBarsCsv(textSource('Date,Open,High,Low\n')).toArray()).rejects.toThrow(/lacks close, volume/);
    await expect(readBarsCsv(textSource('date,Date,open,high,low,close,volume\n')).toArray()).rejects.toThrow(
      /names the time column twice/,
    );
    await expect(readBarsCsv(textSource('')).toArray()).rejects.toThrow(/input is empty/);
  });
});

const BAD = [
  'date,open,high,low,close,volume', // 1
  '2024-01-01,10,11,9,10.5,100', // 2 good
  '2024-01-02,10,abc,9,10,100', // 3 high not a number
  '2024-01-03,10,9,11,10,100', // 4 high below low
  '2024-01-04,12,12,9,10,100', // 5 good
  '2024-01-05,13,12,9,10,100', // 6 open above high
  '2024-01-06,10,12,9,8,100', // 7 close below low
  '2024-01-04,10,12,9,10,100', // 8 time not after line 5
  '2024-01-07,10,12,9', // 9 missing fields
  '2024-01-08,10,12,9,10,', // 10 volume empty
  'yesterday,10,12,9,10,1', // 11 bad time
  '2024-01-09,10,12,9,10,-1', // 12 negative volume
  '2024-01-10,0,12,0,10,1', // 13 zero price
  '2024-01-11,10,12,9,10,1', // 14 good
].join('\n');

describe('readBarsCsv bad rows', () => {
  it('skips and lists each bad row with its line number and what was wrong', async () => {
    const result = await readBarsCsv(textSource(BAD), { onBadRow: 'skip', name: 'bad.csv' }).toArray();
    expect(result.rows.map((b) => b.line)).toEqual([2, 5, 14]);
    expect(result.badRowCount).toBe(10);
    expect(result.badRows.map((r) => [r.line, r.field, r.reason])).toEqual([
      [3, 'high', '"abc" is not a number'],
      [4, 'high', '9 is below low 11'],
      [6, 'open', '13 is outside [low 9, high 12]'],
      [7, 'close', '8 is outside [low 9, high 12]'],
      [8, 'time', "2024-01-04T00:00:00.000Z is not after the previous bar's 2024-01-04T00:00:00.000Z (line 5)"],
      [9, 'row', 'has 4 fields, the header has 6'],
      [10, 'volume', 'is missing'],
      [11, 'time', '"yesterday" is neither an ISO 8601 date-time nor epoch seconds or milliseconds'],
      [12, 'volume', '-1 must not be negative'],
      [13, 'open', '0 must be above zero'],
    ]);
    expect(result.badRows[0]!.text).toBe('2024-01-02,10,abc,9,10,100');
  });

  it('stops at the first bad row by default, with the line in the error', async () => {
    const stream = readBarsCsv(textSource(BAD), { name: 'bad.csv' });
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const bar of stream) seen.push(bar.line);
    } catch (err) {
      error = err;
    }
    expect(seen).toEqual([2]);
    expect(error).toBeInstanceOf(BadRowError);
    const bad = error as BadRowError;
    expect(bad.code).toBe('BAD_ROW');
    expect(bad.badRow.line).toBe(3);
    expect(bad.message).toBe('bad.csv line 3: high "abc" is not a number');
  });

  it('keeps the count exact when the list is capped', async () => {
    const result = await readBarsCsv(textSource(BAD), { onBadRow: 'skip', maxListedBadRows: 2 }).toArray();
    expect(result.badRowCount).toBe(10);
    expect(result.badRows.map((r) => r.line)).toEqual([3, 4]);
  });

  it('refuses an unknown onBadRow policy', () => {
    expect(() => readBarsCsv(textSource(BAD), { onBadRow: 'ignore' as 'skip' })).toThrow(/onBadRow "ignore"/);
  });
});

describe('readBarsCsv streaming', () => {
  it('pulls the source lazily: breaking early leaves most of it unread', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<string> {
      yield 'time,open,high,low,close,volume\n';
      for (let i = 0; i < 100_000; i += 1) {
        pulled += 1;
        yield `${1_700_000_000_000 + i * 60_000},1,1,1,1,1\n`;
      }
    }
    const bars: number[] = [];
    for await (const bar of readBarsCsv(source())) {
      bars.push(bar.time);
      if (bars.length === 5) break;
    }
    expect(bars).toEqual([0, 1, 2, 3, 4].map((i) => 1_700_000_000_000 + i * 60_000));
    expect(pulled).toBeLessThan(1_000);
  });
});
