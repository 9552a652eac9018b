import { extname } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { KillSwitchAction, TimeInForce, TradingMode } from '@bourse/contracts';
import { LimitsConfigError, type LimitsIssue } from '../errors.js';

// The risk limits file (YAML or JSON), validated strictly: an unknown key is an error, not a
// silently ignored typo. Amounts (quantities, notionals, losses, basis points) are decimal strings,
// as everywhere in Bourse: a bare YAML number such as 0.1 is a float and is refused. Counts and
// durations are whole numbers, where a float cannot hide; a fractional one is refused.
//
// Precedence, key by key, the most specific wins:
//   strategies.<id>.instruments.<symbol>  >  strategies.<id>  >  instruments.<symbol>  >  defaults
// A strategy's own setting beats the instrument's because the strategy owner tunes it for that
// strategy; the (strategy, instrument) pair is the most specific of all. Keys that only make sense
// at one level (the aggregate position of an instrument, a strategy's order rate) exist only there.

const AMOUNT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;
const STRATEGY = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const ASSET = /^[A-Z0-9]{1,20}$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

const amount = z
  .string({ error: 'must be a quoted decimal string such as "0.5" (a bare YAML number may be a float)' })
  .regex(AMOUNT, { message: 'must be a decimal string of zero or more, such as "0.5"' });
const count = z
  .number({ error: 'must be a whole number' })
  .int({ message: 'must be a whole number' })
  .nonnegative({ message: 'must be zero or more' });
const durationMs = z
  .number({ error: 'must be a whole number of milliseconds' })
  .int({ message: 'must be a whole number of milliseconds' })
  .positive({ message: 'must be above zero' });

export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A trading window in UTC. `end` before `start` crosses midnight: the window belongs to the day it
 * starts on (FRI 22:00-02:00 covers Saturday 01:00). `end` is exclusive.
 */
export const SessionWindow = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    start: z.string().regex(HHMM, { message: 'must be HH:MM (UTC, 00:00-23:59)' }),
    end: z.string().regex(HHMM, { message: 'must be HH:MM (UTC, 00:00-23:59)' }),
  })
  .refine((w) => w.start !== w.end, { message: 'start and end are equal; leave sessions out to trade all day' });
export type SessionWindow = z.infer<typeof SessionWindow>;

/** Loss limit per P&L asset (the quote asset of the instruments): P&L in two quote assets is never added. */
const lossLimits = z.record(z.string().regex(ASSET, { message: 'must be an asset code such as USDT' }), amount);

const orderRate = z.strictObject({ maxOrders: count, windowMs: durationMs });
/** Whole milliseconds where 0 means off. */
const offOrMs = z
  .number({ error: 'must be a whole number of milliseconds (0 = off)' })
  .int({ message: 'must be a whole number of milliseconds (0 = off)' })
  .nonnegative({ message: 'must be zero (off) or more' });
const rejectionCooldown = z.strictObject({ afterRejections: count.min(1), cooldownMs: durationMs });

/**
 * Kill-switch triggers beyond the daily loss. Every key is optional at every level; resolve.ts
 * supplies the built-in defaults (5 in 60 s, 15 s), so a file without this block keeps both on.
 */
const rejectionBurst = z.strictObject({
  /** Rejected or unknown orders of one strategy in the window that halt it; 0 = off. */
  count,
  /** The sliding window, in ms. */
  windowMs: durationMs.optional(),
});
/** How long an instrument's feed may stay not-live after reporting `stale` before it is halted; 0 = off. */
const staleFeedHaltAfterMs = offOrMs;
/**
 * What each trigger does when it trips, in the scope it trips: `halt` stops new orders;
 * `halt-and-cancel` also cancels every open order of that scope through the order manager's
 * cancel-all (journalled and reconciled like an operator's). Built-in defaults in resolve.ts:
 * daily loss and reconciliation drift halt-and-cancel, the others halt.
 */
const action = KillSwitchAction;
const StrategyKillSwitch = z.strictObject({
  rejectionBurst: rejectionBurst.optional(),
  rejectionBurstAction: action.optional(),
  dailyLossAction: action.optional(),
});
const InstrumentKillSwitch = z.strictObject({
  staleFeedHaltAfterMs: staleFeedHaltAfterMs.optional(),
  staleFeedAction: action.optional(),
});
const DefaultKillSwitch = z.strictObject({
  rejectionBurst: rejectionBurst.optional(),
  staleFeedHaltAfterMs: staleFeedHaltAfterMs.optional(),
  rejectionBurstAction: action.optional(),
  staleFeedAction: action.optional(),
  dailyLossAction: action.optional(),
});
/** Global triggers: the global daily loss (the gate's) and reconciliation drift (the reconciler's, handed to it by `bourse start`). */
const GlobalKillSwitch = z.strictObject({
  dailyLossAction: action.optional(),
  reconciliationDriftAction: action.optional(),
});

/** Limits that apply to one strategy trading one instrument: settable at every level. */
const pairKeys = {
  /** Largest order quantity, in the base asset. */
  maxOrderQty: amount.optional(),
  /** Largest order notional (price × qty), in the quote asset. */
  maxOrderNotional: amount.optional(),
  /** Largest absolute position of the strategy in the instrument, open orders included, in base. */
  maxPosition: amount.optional(),
  /** Largest distance of a limit or stop price from the current mid, in basis points. */
  priceBandBps: amount.optional(),
  /** Oldest quote (by receipt time) an intent may be judged against. */
  maxQuoteAgeMs: durationMs.optional(),
  /** When the instrument may be traded (UTC); absent = always, an empty list = never. */
  sessions: z.array(SessionWindow).optional(),
};
/** Limits of a strategy as a whole. */
const strategyKeys = {
  /** Open orders plus in-flight requests of the strategy, across instruments. */
  maxOpenOrders: count.optional(),
  orderRate: orderRate.optional(),
  rejectionCooldown: rejectionCooldown.optional(),
  /** Daily loss (realized today plus unrealized) of the strategy, per P&L asset; trips the kill switch. */
  maxDailyLoss: lossLimits.optional(),
  /**
   * Gross notional of the strategy across all its instruments (a unit's legs together), per quote
   * asset: the sum over the instruments quoted in it of |position + open orders on the larger side| ×
   * mid, this order included.
   */
  maxTotalNotional: lossLimits.optional(),
};
/** Limits of an instrument across every strategy. */
const instrumentKeys = {
  /** Largest absolute net position across strategies, open orders included, in base. */
  maxAggregatePosition: amount.optional(),
  /** Whether two strategies may hold positions or orders in the instrument at once. */
  allowSharedInstrument: z.boolean().optional(),
};

const PairLimits = z.strictObject(pairKeys);
const InstrumentLimits = z.strictObject({
  ...pairKeys,
  ...instrumentKeys,
  killSwitch: InstrumentKillSwitch.optional(),
});
const StrategyLimits = z.strictObject({
  ...pairKeys,
  ...strategyKeys,
  killSwitch: StrategyKillSwitch.optional(),
  instruments: z.record(z.string().regex(SYMBOL, { message: 'must look like BASE/QUOTE' }), PairLimits).optional(),
});
const DefaultLimits = z.strictObject({
  ...pairKeys,
  ...strategyKeys,
  ...instrumentKeys,
  // Required at the bottom: without them a typo would leave the gate with no bound at all.
  maxOrderNotional: amount,
  priceBandBps: amount,
  maxQuoteAgeMs: durationMs,
  maxOpenOrders: count,
  orderRate,
  rejectionCooldown,
  killSwitch: DefaultKillSwitch.optional(),
});
const GlobalLimits = z.strictObject({
  /** Daily loss of all strategies together, per P&L asset; trips the global kill switch. */
  maxDailyLoss: lossLimits.optional(),
  /** Open orders plus in-flight requests of the whole account. */
  maxOpenOrders: count.optional(),
  /** Gross notional of all strategies together across instruments, per quote asset (net position per instrument). */
  maxTotalNotional: lossLimits.optional(),
  killSwitch: GlobalKillSwitch.optional(),
});

export const LimitsConfig = z.strictObject({
  v: z.literal(1),
  /** Time in force for limit and stop-limit intents that name none. */
  defaultTimeInForce: TimeInForce.default('GTC'),
  /** Mode assumed while the trading-state bucket has no global entry: HALTED until someone says otherwise. */
  whenGlobalStateMissing: TradingMode.default('HALTED'),
  /**
   * UTC time (HH:MM) at which the trading day starts: the daily loss counts from zero there, with
   * carried positions valued from the mark at that moment. UTC midnight by default.
   */
  tradingDayStart: z.string().regex(HHMM, { message: 'must be HH:MM (UTC, 00:00-23:59)' }).default('00:00'),
  global: GlobalLimits.default({}),
  defaults: DefaultLimits,
  instruments: z
    .record(z.string().regex(SYMBOL, { message: 'must look like BASE/QUOTE' }), InstrumentLimits)
    .default({}),
  strategies: z
    .record(z.string().regex(STRATEGY, { message: 'must be a strategy id (a-z0-9_-)' }), StrategyLimits)
    .default({}),
});
export type LimitsConfig = z.infer<typeof LimitsConfig>;
export type LimitsFormat = 'yaml' | 'json';

/** `.json` is JSON, anything else YAML (YAML is a superset of JSON anyway). */
export function limitsFormatOf(path: string): LimitsFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** Where the trading day starts, in ms after UTC midnight. */
export function dayStartOffsetMs(limits: Pick<LimitsConfig, 'tradingDayStart'>): number {
  const [hours = 0, minutes = 0] = limits.tradingDayStart.split(':').map(Number);
  return (hours * 60 + minutes) * 60_000;
}

/** Parses and validates a limits file; throws LimitsConfigError naming the path of every problem. */
export function loadLimits(text: string, format: LimitsFormat): LimitsConfig {
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LimitsConfigError([{ path: '(file)', message: `is not valid ${format.toUpperCase()}: ${message}` }], {
      cause: error,
    });
  }
  return parseLimits(raw);
}

/** Validates an already-parsed limits object; throws LimitsConfigError naming the path of every problem. */
export function parseLimits(raw: unknown): LimitsConfig {
  const parsed = LimitsConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues: LimitsIssue[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new LimitsConfigError(issues, { cause: parsed.error });
}

/** One limit that differs between two configs; `before`/`after` absent when the key was not set. */
export interface LimitChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

/** Every limit that differs between two validated configs, by path, sorted; one entry per changed leaf. */
export function diffLimits(before: LimitsConfig, after: LimitsConfig): LimitChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: LimitChange[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (x === y) continue;
    changes.push({ path, ...(x === undefined ? {} : { before: x }), ...(y === undefined ? {} : { after: y }) });
  }
  return changes;
}

// Leaves are strings, numbers, booleans and whole session lists (a list of windows changes as one).
function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value === undefined) return into;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    into.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
    return into;
  }
  for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  return into;
}
