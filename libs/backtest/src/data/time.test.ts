import { describe, expect, it } from 'vitest';
import { toPlainDecimal } from './fields.js';
import { RowFault } from './fields.js';
import { parseTimestamp } from './time.js';

describe('parseTimestamp', () => {
  it.each([
    ['2004-08-19', Date.UTC(2004, 7, 19)],
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05.678Z', Date.UTC(2024, 0, 2, 3, 4, 5, 678)],
    ['2024-01-02T03:04:05.678999Z', Date.UTC(2024, 0, 2, 3, 4, 5, 678)],
    ['2024-01-02 03:04:05', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02 03:04', Date.UTC(2024, 0, 2, 3, 4)],
    ['2024-01-02T03:04:05+02:00', Date.UTC(2024, 0, 2, 1, 4, 5)],
    ['2024-01-02T03:04:05-0130', Date.UTC(2024, 0, 2, 4, 34, 5)],
    // Magnitude decides the unit: below 1e11 seconds, from 1e11 milliseconds.
    ['1700000000', 1_700_000_000_000],
    ['1700000000.25', 1_700_000_000_250],
    ['1700000000000', 1_700_000_000_000],
    ['99999999999', 99_999_999_999_000],
    ['100000000000', 100_000_000_000],
    ['0', 0],
  ])('%s → %d', (text, expected) => {
    expect(parseTimestamp('time', text)).toBe(expected);
  });

  it.each([
    ['', 'is missing'],
    ['2023-02-30', 'is not a valid date'],
    ['2023-13-01', 'is not a valid date-time'],
    ['2023-01-01T24:00:00', 'is not a valid date-time'],
    ['1700000000000000', 'looks like micro- or nanoseconds'],
    ['1700000000000.5', 'has a fraction of a millisecond'],
    ['1700000000.0005', 'finer than a millisecond'],
    ['01/02/2024', 'is neither an ISO 8601'],
    ['-5', 'is neither an ISO 8601'],
  ])('rejects %j', (text, reason) => {
    let fault: unknown;
    try {
      parseTimestamp('time', text);
    } catch (err) {
      fault = err;
    }
    expect(fault).toBeInstanceOf(RowFault);
    expect((fault as RowFault).reason).toContain(reason);
  });
});

describe('toPlainDecimal', () => {
  it.each([
    ['100', '100'],
    ['104.06', '104.06'],
    ['+2.', '2'],
    ['.5', '0.5'],
    ['-0.5', '-0.5'],
    ['007', '7'],
    ['1.5e+07', '15000000'],
    ['1E3', '1000'],
    ['1e-7', '0.0000001'],
    ['-2.50E-3', '-0.00250'],
    ['12.345e1', '123.45'],
  ])('%s → %s', (text, expected) => {
    expect(toPlainDecimal(text)).toBe(expected);
  });

  it.each(['', 'abc', '1.2.3', '1e', 'e5', 'NaN', 'Infinity', '0x10', '1 000'])('rejects %j', (text) => {
    expect(toPlainDecimal(text)).toBeUndefined();
  });
});
