import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import {
  InstrumentSymbol,
  PositiveDecimalString,
  StrategyId,
  StrategyVersion,
  VenueId,
  VenueSymbol,
} from '@bourse/contracts';
import { STRATEGY_ID_AND_VERSION_MAX_LENGTH } from '@bourse/domain';
import { builtinStrategies } from '../builtin/registry.js';
import { isStrategyError } from '../sdk/errors.js';
import { MaxDecisionAgeOverrides } from '../sdk/shelf-life.js';
import type { StrategyDefinition } from '../types.js';
import { StrategiesFileError } from './errors.js';
import type { InstrumentRef, StrategyConfig } from './types.js';

// The strategies file (YAML or JSON): which strategies run, with which params, on which instruments.
// Parsed from text here (pure: the strategy runner service reads the file, `loadStrategiesFile`, and
// the CLI checks a handed file and inline config with the same parser before anything starts).
//
//   strategies:
//     - name: sma-cross            # a built-in strategy (or one passed in `definitions`)
//     # or a module of the user's: a path relative to this file, or a package specifier, with the
//     # export holding its defineStrategy(...) result (`export:` or `#name`; default: the default export,
//     # or the module's only strategy export). Modules are loaded by `loadStrategies` in
//     # `@bourse/strategy/loader` (async: it compiles the file); `parseStrategies` refuses them.
//     - module: ./strategies/mean-revert.ts#meanRevert
//       id: sma-btc                # optional; defaults to the name; unique; on intents and order ids
//       version: 1.0.0             # must equal the strategy's version: a code change is a config change
//       venue: binance
//       instruments: [BTC/USDT, { symbol: ETH/USDT, venueSymbol: ETHUSDT }]
//       params: { fast: 10, slow: 30, timeframe: 1m, sizing: { kind: qty, qty: "0.001" } }
//       equity: "1000"             # optional: quote capital for fraction sizing
//       maxDecisionAgeMs: { market: 3000 }  # optional: shelf life per order style, over the strategy's own

/** Client order ids carry the version; the OMS's id layout allows 1-8 of these characters. */
const ORDER_ID_VERSION = /^[A-Za-z0-9._-]{1,8}$/;

const InstrumentEntry = z.union([
  InstrumentSymbol,
  z.strictObject({ symbol: InstrumentSymbol, venueSymbol: VenueSymbol.optional() }),
]);

const StrategyEntry = z
  .strictObject({
    name: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    export: z.string().min(1).optional(),
    id: StrategyId.optional(),
    version: StrategyVersion.refine((v) => ORDER_ID_VERSION.test(v), {
      message: 'must be 1-8 characters of A-Za-z0-9._- (it is part of every client order id)',
    }),
    venue: VenueId,
    instruments: z.array(InstrumentEntry).min(1, { message: 'must list at least one instrument' }),
    params: z.unknown().optional(),
    equity: PositiveDecimalString.optional(),
    maxDecisionAgeMs: MaxDecisionAgeOverrides.optional(),
  })
  .refine((e) => (e.name === undefined) !== (e.module === undefined), {
    message: 'give either name (a built-in) or module (a file or package), not both',
    path: ['name'],
  })
  .refine((e) => e.export === undefined || e.module !== undefined, {
    message: 'export names an export of a module: give module too',
    path: ['export'],
  });
export type StrategyEntry = z.output<typeof StrategyEntry>;

const StrategiesFile = z.strictObject({ strategies: z.array(StrategyEntry) });

export interface LoadStrategiesOptions {
  /** Strategies beyond the built-ins, by name (tests, private strategies). They win over a built-in. */
  readonly definitions?: Readonly<Record<string, StrategyDefinition>>;
  /**
   * Accept `module:` entries on their schema alone and leave them out of the result (a check before
   * start, such as `bourse start`'s: the runner loads them with `loadStrategies`, which refuses a bad
   * one on its own). Default false: a module entry is an issue here.
   */
  readonly skipModules?: boolean;
}

/** The strategies file's entries, checked against its schema only; `source` names it in errors. */
export function readStrategyEntries(text: string, source: string): StrategyEntry[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new StrategiesFileError(source, [`is not valid YAML or JSON: ${detail}`], { cause: err });
  }
  const parsed = StrategiesFile.safeParse(raw);
  if (!parsed.success) {
    throw new StrategiesFileError(
      source,
      parsed.error.issues.map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`),
    );
  }
  return parsed.data.strategies;
}

/** Parses strategies from YAML or JSON text (JSON is YAML); `source` names it in errors. Built-ins only. */
export function parseStrategies(text: string, source: string, options: LoadStrategiesOptions = {}): StrategyConfig[] {
  const entries = readStrategyEntries(text, source);
  const registry = { ...builtinStrategies, ...options.definitions };
  const issues: string[] = [];
  const out: StrategyConfig[] = [];
  const ids = new Set<string>();
  entries.forEach((entry, index) => {
    const at = `strategies.${index}`;
    if (entry.name === undefined) {
      if (options.skipModules === true) return;
      issues.push(`${at}.module: a strategy module is loaded by loadStrategies (@bourse/strategy/loader)`);
      return;
    }
    const definition = Object.hasOwn(registry, entry.name) ? registry[entry.name] : undefined;
    if (definition === undefined) {
      issues.push(`${at}.name: no strategy named "${entry.name}"; known: ${Object.keys(registry).join(', ')}`);
      return;
    }
    const config = checkStrategyEntry(entry, definition, at, ids, issues);
    try {
      // Builds one instance to check params and setup now rather than when a lease is won.
      definition.instantiate({ params: entry.params ?? {}, instruments: config.instruments.map((i) => i.symbol) });
    } catch (err) {
      if (!isStrategyError(err)) throw err;
      issues.push(`${at}.params: ${err.message}`);
    }
    out.push(config);
  });
  if (issues.length > 0) throw new StrategiesFileError(source, issues);
  return out;
}

/**
 * The entry's config with `definition`, after the checks that do not depend on how the definition was
 * found (id, version, instruments); problems are pushed on `issues` (`at` prefixes their path). Params
 * are checked by the caller (an instance is made there).
 */
export function checkStrategyEntry(
  entry: StrategyEntry,
  definition: StrategyDefinition,
  at: string,
  ids: Set<string>,
  issues: string[],
): StrategyConfig {
  const label = entry.name ?? entry.module ?? definition.name;
  const id = entry.id ?? entry.name ?? definition.name;
  if (!StrategyId.safeParse(id).success) {
    issues.push(`${at}.id: "${id}" must be 1-32 characters of a-z0-9_- (give an id when the name does not fit)`);
  }
  if (ids.has(id)) issues.push(`${at}.id: "${id}" is used twice; give each entry its own id`);
  ids.add(id);
  if (entry.version !== definition.version) {
    issues.push(`${at}.version: "${entry.version}" does not match ${label}'s version "${definition.version}"`);
  }
  if (id.length + entry.version.length > STRATEGY_ID_AND_VERSION_MAX_LENGTH) {
    issues.push(
      `${at}.id: "${id}" with version "${entry.version}" is longer than ${STRATEGY_ID_AND_VERSION_MAX_LENGTH} characters together (client order ids hold both)`,
    );
  }
  const instruments: InstrumentRef[] = entry.instruments.map((i) => {
    const symbol = typeof i === 'string' ? i : i.symbol;
    const venueSymbol = typeof i === 'string' || i.venueSymbol === undefined ? symbol.replace('/', '') : i.venueSymbol;
    return { venue: entry.venue, symbol, venueSymbol };
  });
  const symbols = new Set(instruments.map((i) => i.symbol));
  if (symbols.size !== instruments.length) issues.push(`${at}.instruments: an instrument is listed twice`);
  return {
    id,
    definition,
    version: entry.version,
    params: entry.params ?? {},
    instruments,
    ...(entry.equity !== undefined ? { equity: entry.equity } : {}),
    ...(entry.maxDecisionAgeMs !== undefined ? { maxDecisionAgeMs: entry.maxDecisionAgeMs } : {}),
  };
}
