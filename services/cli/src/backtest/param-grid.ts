import { InvalidArgumentError } from 'commander';
import type { ParamAxis, ParamValue } from '@bourse/backtest';

// `--param name=value` and its sweep forms, pure: `fast=10`, `fast=5..30:5` (a range, both ends
// included), `fast=5..30` (step 1), `mode=a,b` (a list). A grid is every combination, in the order
// the flags were given, the first flag varying slowest.

/** More runs than this is a typo, not a sweep (and a grid this large should be sampled instead). */
export const MAX_GRID_SIZE = 100_000;

const NUMBER = /^-?\d+(\.\d+)?$/;

function scalar(raw: string): ParamValue {
  return NUMBER.test(raw) ? Number(raw) : raw;
}

/** Decimal places of a numeric literal, so a range of 0.1 steps does not drift (0.30000000000000004). */
function places(raw: string): number {
  const dot = raw.indexOf('.');
  return dot < 0 ? 0 : raw.length - dot - 1;
}

/** Parses one `--param` argument; throws commander's InvalidArgumentError naming what is wrong. */
export function parseParamArg(arg: string): ParamAxis {
  const match = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(arg);
  if (!match) throw new InvalidArgumentError(`--param expects name=value, got "${arg}".`);
  const name = match[1]!;
  const raw = match[2]!;
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(raw);
  if (range) {
    const [, fromRaw, toRaw, stepRaw = '1'] = range as unknown as [string, string, string, string | undefined];
    const from = Number(fromRaw);
    const to = Number(toRaw);
    const step = Number(stepRaw);
    if (!(step > 0)) throw new InvalidArgumentError(`--param ${name}: the step must be above 0, got "${stepRaw}".`);
    if (to < from) throw new InvalidArgumentError(`--param ${name}: the range ${raw} runs backwards.`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_GRID_SIZE) throw new InvalidArgumentError(`--param ${name}: ${raw} has ${count} values.`);
    const dp = Math.max(places(fromRaw), places(stepRaw));
    const values = Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(dp)));
    return { name, values };
  }
  if (raw.includes(',')) {
    const parts = raw.split(',');
    if (parts.some((p) => p === '')) throw new InvalidArgumentError(`--param ${name}: empty value in "${raw}".`);
    return { name, values: parts.map(scalar) };
  }
  return { name, values: [scalar(raw)] };
}

/** commander's collector for a repeatable `--param`; a name given twice is refused. */
export function collectParamAxis(arg: string, previous: readonly ParamAxis[]): ParamAxis[] {
  const axis = parseParamArg(arg);
  if (previous.some((a) => a.name === axis.name)) {
    throw new InvalidArgumentError(`--param ${axis.name} is given twice.`);
  }
  return [...previous, axis];
}

/** Whether the axes ask for more than one run. */
export function isSweep(axes: readonly ParamAxis[]): boolean {
  return axes.some((a) => a.values.length > 1);
}

/** Every combination of the axes' values (one empty set for no axes). */
export function expandGrid(axes: readonly ParamAxis[]): Record<string, ParamValue>[] {
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (size > MAX_GRID_SIZE) {
    throw new InvalidArgumentError(`--param: the grid has ${size} combinations, more than ${MAX_GRID_SIZE}.`);
  }
  let grid: Record<string, ParamValue>[] = [{}];
  for (const axis of axes) grid = grid.flatMap((combo) => axis.values.map((v) => ({ ...combo, [axis.name]: v })));
  return grid;
}
