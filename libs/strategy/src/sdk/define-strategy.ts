import { z } from 'zod';
import { InstrumentSymbol, StrategyId, StrategyVersion } from '@bourse/contracts';
import { timeframeMs } from '../bars/bar.js';
import type {
  EvaluationPolicy,
  StrategyDefinition,
  StrategyHandlers,
  StrategyInstance,
  StrategyInstanceConfig,
  StrategySetup,
  WarmupNeed,
  WarmupSpec,
} from '../types.js';
import {
  InvalidStrategyDefinitionError,
  InvalidStrategyParamsError,
  InvalidStrategySetupError,
  issuesOf,
  type StrategyIssue,
} from './errors.js';
import { StrategyStateSchema, freezeState } from './state.js';
import { StrategyInstanceImpl } from './instance.js';
import { MaxDecisionAgeOverrides, resolveMaxDecisionAge } from './shelf-life.js';
import { UnitSpecSchema, unitSizeProblems, type UnitSpec } from './unit.js';

export const MIN_POLL_INTERVAL_MS = 250;
export const MAX_POLL_INTERVAL_MS = 2000;
/** Most history bars a strategy may ask for: one klines request of Binance's (limit ≤ 1000). */
export const MAX_WARMUP_BARS = 1000;

const WarmupSpecsSchema = z.array(
  z.strictObject({ timeframe: z.string(), bars: z.number().int().min(1).max(MAX_WARMUP_BARS) }),
);

export const EvaluationPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('event'), throttleMs: z.number().int().nonnegative() }),
  z.strictObject({
    mode: z.literal('poll'),
    intervalMs: z.number().int().min(MIN_POLL_INTERVAL_MS).max(MAX_POLL_INTERVAL_MS),
  }),
]);

/** A timeframe label (`1m`, `15m`, `4h`, `1d`) for param schemas. */
export const TimeframeLabel = z.string().refine(
  (label) => {
    try {
      timeframeMs(label);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a timeframe such as 30s, 1m, 15m, 4h or 1d' },
);

/** What a strategy author writes; `defineStrategy` checks it and returns the definition the runner uses. */
export interface StrategySpec<S extends z.ZodType> {
  /** Also the strategy id prefix: 1-32 of a-z0-9_- (e.g. `sma-cross`). */
  readonly name: string;
  /** Version of the code and its defaults, recorded on every intent (e.g. `1.0.0`). */
  readonly version: string;
  readonly description?: string;
  readonly params: S;
  readonly timeframes: readonly string[] | ((params: z.output<S>) => readonly string[]);
  /**
   * Trade the instruments as one unit (a pair, a spread, a basket): one instance sees all of them
   * (quotes, positions, bars per instrument; `onBars` lines bars up by time), may emit intents for any
   * of them, and is leased across runners as one. `minInstruments` (2..16) to `maxInstruments`
   * (default 16) instruments; without `unit`, one instance runs per instrument.
   */
  readonly unit?: UnitSpec;
  /** Deliver forming bars to onBar as well as closed ones (default false). */
  readonly wantsFormingBars?: boolean;
  readonly evaluation: EvaluationPolicy | ((params: z.output<S>) => EvaluationPolicy);
  /**
   * History to feed before live bars (e.g. sma-cross: `slow` bars of its timeframe), so the strategy
   * can act on the first live bar. Each timeframe must be one of `timeframes`; default none.
   */
  readonly warmup?: readonly WarmupSpec[] | ((params: z.output<S>) => readonly WarmupSpec[]);
  /**
   * How old a decision may be when its order would reach the venue, per order style, in ms (DESIGN
   * 13); styles not named keep DEFAULT_MAX_DECISION_AGE_MS (seconds for market orders).
   */
  readonly maxDecisionAgeMs?: MaxDecisionAgeOverrides | ((params: z.output<S>) => MaxDecisionAgeOverrides);
  /** Makes one instance's handlers, with their own indicator state. No I/O: it only gets params and setup. */
  create(params: z.output<S>, setup: StrategySetup): StrategyHandlers;
}

/** Checks a strategy spec and returns its definition; throws InvalidStrategyDefinitionError. */
export function defineStrategy<S extends z.ZodType>(spec: StrategySpec<S>): StrategyDefinition<z.output<S>> {
  type P = z.output<S>;
  const problems: StrategyIssue[] = [];
  if (!StrategyId.safeParse(spec.name).success) {
    problems.push({ path: 'name', message: 'must be 1-32 characters of a-z0-9_- starting with a letter or digit' });
  }
  const version = StrategyVersion.safeParse(spec.version);
  if (!version.success) problems.push(...prefixed('version', issuesOf(version.error.issues)));
  if (typeof spec.timeframes !== 'function') problems.push(...timeframeProblems(spec.timeframes));
  if (typeof spec.evaluation !== 'function') problems.push(...evaluationProblems(spec.evaluation));
  if (spec.maxDecisionAgeMs !== undefined && typeof spec.maxDecisionAgeMs !== 'function') {
    problems.push(...decisionAgeProblems(spec.maxDecisionAgeMs));
  }
  let unit: UnitSpec | undefined;
  if (spec.unit !== undefined) {
    const parsed = UnitSpecSchema.safeParse(spec.unit);
    if (parsed.success) unit = Object.freeze(parsed.data);
    else problems.push(...prefixed('unit', issuesOf(parsed.error.issues)));
  }
  if (problems.length > 0) throw new InvalidStrategyDefinitionError(String(spec.name), problems, spec);

  const wantsFormingBars = spec.wantsFormingBars ?? false;

  const parseParams = (raw: unknown): P => {
    const parsed = spec.params.safeParse(raw);
    if (!parsed.success) throw new InvalidStrategyParamsError(spec.name, issuesOf(parsed.error.issues), raw);
    return deepFreeze(parsed.data);
  };

  const instantiate = (config: StrategyInstanceConfig): StrategyInstance<P> => {
    const params = parseParams(config.params);
    const instruments = checkInstruments(spec.name, config.instruments, unit);
    const state = config.state === undefined ? freezeState({}) : checkRestoredState(spec.name, config.state);

    const labels = typeof spec.timeframes === 'function' ? spec.timeframes(params) : spec.timeframes;
    const evaluation = typeof spec.evaluation === 'function' ? spec.evaluation(params) : spec.evaluation;
    const warmupSpecs = typeof spec.warmup === 'function' ? spec.warmup(params) : (spec.warmup ?? []);
    const ages = typeof spec.maxDecisionAgeMs === 'function' ? spec.maxDecisionAgeMs(params) : spec.maxDecisionAgeMs;
    const late = [
      ...timeframeProblems(labels),
      ...evaluationProblems(evaluation),
      ...warmupProblems(warmupSpecs, labels),
      ...(ages !== undefined ? decisionAgeProblems(ages) : []),
    ];
    if (late.length > 0) {
      throw new InvalidStrategyDefinitionError(spec.name, late, { labels, evaluation, warmup: warmupSpecs });
    }

    const timeframes = [...new Set(labels)]
      .map((label) => Object.freeze({ label, ms: timeframeMs(label) }))
      .sort((a, b) => a.ms - b.ms);
    const setup: StrategySetup = Object.freeze({
      instruments,
      timeframesMs: Object.freeze(timeframes.map((t) => t.ms)),
    });
    return new StrategyInstanceImpl<P>({
      name: spec.name,
      version: spec.version,
      params,
      instruments,
      unit,
      timeframes: Object.freeze(timeframes),
      wantsFormingBars,
      evaluation: Object.freeze({ ...evaluation }),
      warmup: warmupNeeds(warmupSpecs),
      maxDecisionAgeMs: resolveMaxDecisionAge(ages),
      state,
      handlers: spec.create(params, setup),
    });
  };

  const definition = {
    name: spec.name,
    version: spec.version,
    description: spec.description ?? '',
    wantsFormingBars,
    unit,
    parseParams,
    instantiate,
  };
  // Marks it as made here, so the strategy loader can tell a definition from any object a user's module
  // exports (a registered symbol: it survives a second copy of this package).
  Object.defineProperty(definition, DEFINITION_BRAND, { value: true });
  return Object.freeze(definition);
}

const DEFINITION_BRAND = Symbol.for('bourse.strategy-definition');

/** Whether `value` was returned by `defineStrategy` (the check the strategy loader makes on a module's export). */
export function isStrategyDefinition(value: unknown): value is StrategyDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[DEFINITION_BRAND] === true &&
    typeof (value as { instantiate?: unknown }).instantiate === 'function'
  );
}

function checkInstruments(
  strategy: string,
  instruments: readonly string[],
  unit: UnitSpec | undefined,
): readonly string[] {
  const problems: StrategyIssue[] = [];
  if (!Array.isArray(instruments) || instruments.length === 0) {
    problems.push({ path: 'instruments', message: 'must list at least one instrument' });
  } else {
    instruments.forEach((symbol, i) => {
      if (!InstrumentSymbol.safeParse(symbol).success) {
        problems.push({ path: `instruments.${i}`, message: `${JSON.stringify(symbol)} must look like BASE/QUOTE` });
      }
    });
    if (unit !== undefined) problems.push(...unitSizeProblems(unit, new Set(instruments).size));
  }
  if (problems.length > 0) throw new InvalidStrategySetupError(strategy, problems, instruments);
  return Object.freeze([...new Set(instruments)]);
}

function checkRestoredState(strategy: string, state: unknown) {
  const parsed = StrategyStateSchema.safeParse(state);
  if (!parsed.success) {
    throw new InvalidStrategySetupError(strategy, prefixed('state', issuesOf(parsed.error.issues)), state);
  }
  return freezeState(parsed.data);
}

function decisionAgeProblems(ages: unknown): StrategyIssue[] {
  const parsed = MaxDecisionAgeOverrides.safeParse(ages);
  return parsed.success ? [] : prefixed('maxDecisionAgeMs', issuesOf(parsed.error.issues));
}

function timeframeProblems(labels: readonly string[]): StrategyIssue[] {
  if (!Array.isArray(labels)) return [{ path: 'timeframes', message: 'must be a list of timeframe labels' }];
  const problems: StrategyIssue[] = [];
  labels.forEach((label, i) => {
    const parsed = TimeframeLabel.safeParse(label);
    if (!parsed.success)
      problems.push({ path: `timeframes.${i}`, message: `${JSON.stringify(label)} is not a timeframe` });
  });
  return problems;
}

function warmupProblems(specs: readonly WarmupSpec[], labels: readonly string[]): StrategyIssue[] {
  const parsed = WarmupSpecsSchema.safeParse(specs);
  if (!parsed.success) return prefixed('warmup', issuesOf(parsed.error.issues));
  const problems: StrategyIssue[] = [];
  parsed.data.forEach((w, i) => {
    if (!labels.includes(w.timeframe)) {
      problems.push({
        path: `warmup.${i}.timeframe`,
        message: `${JSON.stringify(w.timeframe)} is not one of the strategy's timeframes (${labels.join(', ')})`,
      });
    }
  });
  return problems;
}

/** One need per timeframe (the most bars asked for), shortest timeframe first. */
function warmupNeeds(specs: readonly WarmupSpec[]): readonly WarmupNeed[] {
  const byMs = new Map<number, WarmupNeed>();
  for (const w of specs) {
    const ms = timeframeMs(w.timeframe);
    const held = byMs.get(ms);
    if (held === undefined || held.bars < w.bars) byMs.set(ms, Object.freeze({ label: w.timeframe, ms, bars: w.bars }));
  }
  return Object.freeze([...byMs.values()].sort((a, b) => a.ms - b.ms));
}

function evaluationProblems(evaluation: unknown): StrategyIssue[] {
  const parsed = EvaluationPolicySchema.safeParse(evaluation);
  return parsed.success ? [] : prefixed('evaluation', issuesOf(parsed.error.issues));
}

function prefixed(prefix: string, issues: StrategyIssue[]): StrategyIssue[] {
  return issues.map((i) => ({ ...i, path: i.path === '(root)' ? prefix : `${prefix}.${i.path}` }));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
