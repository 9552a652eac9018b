import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Intent } from '@bourse/contracts';
import { strategyTemplate, testTemplate } from './templates.js';

// `bourse strategy new <name>` writes a strategy file and a test beside it; `bourse strategy check
// <file>` runs the loader's checks (file, imports, export, params, timeframes, warm-up) and a short
// backtest on sample bars (or --data), and prints the decisions the strategy made. Exit codes: 0 ok,
// 1 the strategy failed a check or threw in the backtest, 2 a usage error.

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Decisions printed in full; the rest are counted. */
const SHOWN = 20;

function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`--params expects a JSON object, got "${value}".`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError(`--params expects a JSON object, got "${value}".`);
  return parsed as Record<string, unknown>;
}

function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${flag} expects a whole number of at least ${min}, got "${value}".`);
    return Number(value);
  };
}

export function registerStrategyCommand(program: Command): void {
  const strategy = program.command('strategy').description("write and check users' own strategies");
  strategy
    .command('new <name>')
    .description('write <name>.ts (a strategy) and <name>.test.ts (a backtest of it on sample bars)')
    .option('--dir <folder>', 'where to write them', 'strategies')
    .action((name: string, opts: { dir: string }) => {
      process.exitCode = newStrategy(name, opts.dir);
    });
  strategy
    .command('check <file>')
    .description(
      'load a strategy (file[#export], package or built-in) with the runner’s checks, backtest it briefly, print its decisions',
    )
    .option('--params <json>', 'params as a JSON object (default: {}, the schema’s defaults)', jsonObject)
    .option(
      '--bars <n>',
      'sample bars to backtest on, at the strategy’s first timeframe',
      wholeNumber('--bars', 2),
      300,
    )
    .option(
      '--symbol <BASE/QUOTE>',
      'instrument of the check (default ASSET/USD); repeat it for each instrument of a unit (default ASSET1/USD, ASSET2/USD, ...)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--json', 'print { strategy, decisions, stats } as JSON')
    .action(async (file: string, opts: CheckFlags) => {
      process.exitCode = await checkStrategy(file, opts);
    });
}

function newStrategy(name: string, dir: string): number {
  if (!NAME.test(name)) {
    console.error(`bourse: strategy new: the name must be 1-32 of a-z0-9_- (it is the strategy's name), got "${name}"`);
    return EXIT_USAGE;
  }
  const folder = resolve(dir);
  const files = [join(folder, `${name}.ts`), join(folder, `${name}.test.ts`)] as const;
  const taken = files.filter((f) => existsSync(f));
  if (taken.length > 0) {
    console.error(`bourse: strategy new: ${taken.join(', ')} already exists; nothing written`);
    return EXIT_USAGE;
  }
  mkdirSync(folder, { recursive: true });
  writeFileSync(files[0], strategyTemplate(name));
  writeFileSync(files[1], testTemplate(name));
  const rel = relative(process.cwd(), files[0]);
  const shown = rel.startsWith('..') || rel === '' ? files[0] : rel;
  console.log(`wrote ${files[0]}`);
  console.log(`wrote ${files[1]}`);
  console.log(`next: bourse strategy check ${shown}`);
  return 0;
}

interface CheckFlags {
  params?: Record<string, unknown>;
  bars: number;
  symbol?: string[];
  json?: boolean;
}

async function checkStrategy(file: string, flags: CheckFlags): Promise<number> {
  for (const symbol of flags.symbol ?? []) {
    if (!/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(symbol)) {
      console.error(`bourse: --symbol expects BASE/QUOTE, got "${symbol}"`);
      return EXIT_USAGE;
    }
  }
  const { loadStrategy, parseStrategyRef, isStrategyLoadError } = await import('@bourse/strategy/loader');
  const { isStrategyError } = await import('@bourse/strategy');
  const params = flags.params ?? {};
  let loaded;
  let symbols: string[];
  try {
    const ref = parseStrategyRef(file, process.cwd());
    // A unit takes several instruments: the --symbol values, or as many placeholders as it needs.
    const { definition: found } = await loadStrategy(ref);
    const unit = found.unit;
    symbols =
      flags.symbol ??
      (unit === undefined ? ['ASSET/USD'] : Array.from({ length: unit.minInstruments }, (_, i) => `ASSET${i + 1}/USD`));
    loaded = await loadStrategy(ref, { params, instruments: symbols });
  } catch (err) {
    if (!isStrategyLoadError(err)) throw err;
    console.error(`bourse: strategy check: ${err.message}`);
    return EXIT_FAILURE;
  }
  const { definition } = loaded;
  const instance = definition.instantiate({ params, instruments: symbols });
  const timeframe = instance.timeframes[0];
  const where = `${loaded.file}${loaded.exportName === '-' ? '' : `#${loaded.exportName}`}`;
  const summary = {
    file: loaded.file,
    export: loaded.exportName,
    name: definition.name,
    version: definition.version,
    params: instance.params,
    timeframes: instance.timeframes.map((t) => t.label),
    warmup: instance.warmup.map((w) => `${w.bars} × ${w.label}`),
    imports: loaded.files,
  };
  if (timeframe === undefined) {
    // Quote-driven: bars would never reach it, so there is nothing to backtest on sample bars.
    if (flags.json === true) console.log(JSON.stringify({ strategy: summary, decisions: [], stats: null }));
    else
      console.log(
        `ok: ${where} loads (${definition.name} ${definition.version}); it uses no bars, so no backtest was run`,
      );
    return 0;
  }
  const backtest = await import('@bourse/backtest');
  const decisions: Intent[] = [];
  if (definition.unit !== undefined) {
    // Sample bars per instrument, each its own wave (periods 40, 53, 66, ...), so spreads between them move.
    const bars = Object.fromEntries(
      symbols.map((s, i) => [s, backtest.sampleBars(flags.bars, timeframe.ms, undefined, 40 + 13 * i)]),
    );
    let unitResult;
    try {
      unitResult = await backtest.runUnitBacktest(
        {
          strategy: definition,
          params,
          symbols,
          cash: '10000',
          execution: { lot: '0.00000001', tick: '0.01' },
          longShort: true,
          barMs: timeframe.ms,
          onIntent: (intent) => decisions.push(intent),
        },
        bars,
      );
    } catch (err) {
      if (!isStrategyError(err) && !backtest.isBacktestError(err)) throw err;
      console.error(`bourse: strategy check: ${where}: the backtest on sample bars failed: ${err.message}`);
      return EXIT_FAILURE;
    }
    if (flags.json === true) {
      console.log(
        JSON.stringify({ strategy: summary, decisions, stats: backtest.jsonReport(unitResult.stats, []).stats }),
      );
      return 0;
    }
    console.log(`ok: ${where} loads (${definition.name} ${definition.version}), a unit of ${symbols.join(', ')}`);
    console.log(
      `backtest on ${flags.bars} sample bars of ${timeframe.label} per instrument: ${decisions.length} decision(s); ${unitResult.legs
        .map((l) => `${l.symbol} ${l.fills} fill(s)`)
        .join(', ')}`,
    );
    for (const d of decisions.slice(0, SHOWN)) {
      console.log(
        `  ${new Date(d.createdAt).toISOString()} ${d.instrument} ${d.side} ${d.qty ?? d.quoteQty} ${d.style}`,
      );
    }
    if (decisions.length > SHOWN) console.log(`  ... and ${decisions.length - SHOWN} more`);
    return 0;
  }
  let result;
  try {
    result = await backtest.runBacktest(
      {
        strategy: definition,
        params,
        symbol: symbols[0]!,
        cash: '10000',
        execution: { lot: '0.00000001', tick: '0.01' },
        longShort: true,
        barMs: timeframe.ms,
        onIntent: (intent) => decisions.push(intent),
      },
      backtest.sampleBars(flags.bars, timeframe.ms),
    );
  } catch (err) {
    if (!isStrategyError(err) && !backtest.isBacktestError(err)) throw err;
    console.error(`bourse: strategy check: ${where}: the backtest on sample bars failed: ${err.message}`);
    return EXIT_FAILURE;
  }
  if (flags.json === true) {
    console.log(JSON.stringify({ strategy: summary, decisions, stats: backtest.jsonReport(result.stats, []).stats }));
    return 0;
  }
  console.log(`ok: ${where} loads (${definition.name} ${definition.version})`);
  console.log(`  params: ${JSON.stringify(instance.params)}`);
  console.log(`  timeframes: ${summary.timeframes.join(', ')}; warm-up: ${summary.warmup.join(', ') || 'none'}`);
  console.log(`  files: ${loaded.files.length === 0 ? 'built-in' : loaded.files.join(', ')}`);
  console.log(
    `backtest on ${flags.bars} sample bars of ${timeframe.label}: ${decisions.length} decision(s), ${result.stats.tradeCount} closed trade(s)`,
  );
  for (const d of decisions.slice(0, SHOWN)) {
    const qty = d.qty ?? `${d.quoteQty} (quote)`;
    const inputs = Object.entries(d.inputs ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(
      `  ${new Date(d.createdAt).toISOString()} ${d.side} ${qty} ${d.style}${d.reduceOnly ? ' reduce-only' : ''}  ${inputs}`,
    );
  }
  if (decisions.length > SHOWN) console.log(`  ... and ${decisions.length - SHOWN} more`);
  for (const warning of result.warnings) console.log(`warning: ${warning}`);
  return 0;
}
