import { describe, expect, it } from 'vitest';
import { LinePrefixer } from './line-prefixer.js';

function collect(max?: number) {
  const lines: string[] = [];
  const prefixer = new LinePrefixer('[sim] ', (l) => lines.push(l), max);
  return { lines, prefixer };
}

describe('LinePrefixer', () => {
  it('emits whole lines only, joining chunks split mid-line', () => {
    const { lines, prefixer } = collect();
    prefixer.push('first li');
    expect(lines).toEqual([]);
    prefixer.push('ne\nsecond\nthi');
    expect(lines).toEqual(['[sim] first line', '[sim] second']);
    prefixer.push('rd\n');
    expect(lines).toEqual(['[sim] first line', '[sim] second', '[sim] third']);
  });

  it('drops the carriage return of CRLF line ends and keeps empty lines', () => {
    const { lines, prefixer } = collect();
    prefixer.push('a\r\n\r\nb\r\n');
    expect(lines).toEqual(['[sim] a', '[sim] ', '[sim] b']);
  });

  it('flushes a last line that had no newline, once', () => {
    const { lines, prefixer } = collect();
    prefixer.push('done');
    prefixer.flush();
    prefixer.flush();
    expect(lines).toEqual(['[sim] done']);
  });

  it('cuts a line that never ends into bounded pieces', () => {
    const { lines, prefixer } = collect(4);
    prefixer.push('abcdefghij');
    expect(lines).toEqual(['[sim] abcd', '[sim] efgh']);
    prefixer.flush();
    expect(lines.at(-1)).toBe('[sim] ij');
  });
});
