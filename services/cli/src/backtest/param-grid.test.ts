import { describe, expect, it } from 'vitest';
import { collectParamAxis, expandGrid, isSweep, parseParamArg } from './param-grid.js';

describe('--param grids', () => {
  it('reads single values, ranges with a step, ranges without, and lists', () => {
    expect(parseParamArg('fast=10')).toEqual({ name: 'fast', values: [10] });
    expect(parseParamArg('fast=5..30:5')).toEqual({ name: 'fast', values: [5, 10, 15, 20, 25, 30] });
    expect(parseParamArg('slow=3..5')).toEqual({ name: 'slow', values: [3, 4, 5] });
    expect(parseParamArg('k=0.1..0.3:0.1')).toEqual({ name: 'k', values: [0.1, 0.2, 0.3] });
    expect(parseParamArg('fast=5..12:5')).toEqual({ name: 'fast', values: [5, 10] });
    expect(parseParamArg('timeframe=1h,4h')).toEqual({ name: 'timeframe', values: ['1h', '4h'] });
    expect(parseParamArg('timeframe=1d')).toEqual({ name: 'timeframe', values: ['1d'] });
  });

  it('refuses what is malformed, naming the flag', () => {
    expect(() => parseParamArg('fast')).toThrow(/--param expects name=value/);
    expect(() => parseParamArg('fast=30..5:5')).toThrow(/--param fast: the range 30..5:5 runs backwards/);
    expect(() => parseParamArg('fast=1..5:0')).toThrow(/--param fast: the step must be above 0/);
    expect(() => parseParamArg('fast=1..10000000')).toThrow(/--param fast: .* values/);
    expect(() => collectParamAxis('fast=2', collectParamAxis('fast=1', []))).toThrow(/--param fast is given twice/);
  });

  it('expands the grid, the first flag varying slowest', () => {
    const axes = [parseParamArg('fast=5..10:5'), parseParamArg('slow=20,30')];
    expect(isSweep(axes)).toBe(true);
    expect(isSweep([parseParamArg('fast=5')])).toBe(false);
    expect(expandGrid(axes)).toEqual([
      { fast: 5, slow: 20 },
      { fast: 5, slow: 30 },
      { fast: 10, slow: 20 },
      { fast: 10, slow: 30 },
    ]);
    expect(expandGrid([])).toEqual([{}]);
  });
});
