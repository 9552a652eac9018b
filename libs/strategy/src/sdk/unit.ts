import { z } from 'zod';
import type { StrategyIssue } from './errors.js';

// A unit of instruments (issue 21 § 4): a strategy whose instruments are traded together (a pair, a
// spread, a basket) runs as ONE instance over all of them, instead of one instance per instrument.

/** Most instruments one unit may hold. */
export const MAX_UNIT_INSTRUMENTS = 16;

/**
 * What a strategy declares with `unit`: how many instruments its unit takes (the strategies file or the
 * backtest names them, in order; `setup.instruments` keeps that order, so a pair knows its legs).
 */
export const UnitSpecSchema = z
  .strictObject({
    minInstruments: z.number().int().min(2).max(MAX_UNIT_INSTRUMENTS),
    maxInstruments: z.number().int().min(2).max(MAX_UNIT_INSTRUMENTS).optional(),
  })
  .refine((u) => u.maxInstruments === undefined || u.maxInstruments >= u.minInstruments, {
    message: 'maxInstruments must not be below minInstruments',
    path: ['maxInstruments'],
  });
export type UnitSpec = z.output<typeof UnitSpecSchema>;

/** Problems with a unit's instrument count, on path `instruments`; none when it fits. */
export function unitSizeProblems(unit: UnitSpec, count: number): StrategyIssue[] {
  const max = unit.maxInstruments ?? MAX_UNIT_INSTRUMENTS;
  if (count >= unit.minInstruments && count <= max) return [];
  const wanted = unit.minInstruments === max ? `exactly ${max}` : `${unit.minInstruments} to ${max}`;
  return [
    {
      path: 'instruments',
      message: `the strategy trades its instruments as one unit of ${wanted} instruments; ${count} given`,
    },
  ];
}

/** Instruments to make a check instance of a unit with, when the caller names none. */
export function placeholderInstruments(unit: UnitSpec | undefined): readonly string[] {
  const base = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BNB/USDT'];
  const n = unit?.minInstruments ?? 1;
  return Array.from({ length: n }, (_, i) => base[i] ?? `ASSET${i}/USDT`);
}
