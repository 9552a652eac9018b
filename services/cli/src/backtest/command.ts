import { InvalidArgumentError, type Command } from 'commander';
import {
  DATA_KINDS,
  RANKABLE,
  type BacktestPlan,
  type DataKind,
  type Bar,
  type ParamAxis,
  type RankKey,
  type readBarsCsv,
  type RunInfo,
} from '@bourse/backtest';
import { BAR_PRICES, builtinStrategies, type BarPrice, type StrategyDefinition } from '@bourse/strategy';
import { collectParamAxis, expandGrid, isSweep } from './param-grid.js';

// `bourse backtest`: flags → a BacktestPlan → one run (stats table, --json, --report files) or, when a
// --param is a range or list, a sweep across worker threads and a ranked table. Bad flags exit 2 with
// a message naming the flag (commander's InvalidArgumentError, or `usage` below). The engine, the data
// readers, the sweep and the report files are @bourse/backtest's; this file is flags and output.

const EXIT_USAGE = 2;
const TICK_CURVE_MS = 60_000;
const DECIMAL = /^\d+(\.\d+)?$/;

function decimal(flag: string, { max }: { max?: number } = {}) {
  return (value: string): string => {
    if (!DECIMAL.test(value) || (max !== undefined && Number(value) > max)) {
      throw new InvalidArgumentError(
        `${flag} expects a decimal of 0 or more${max === undefined ? '' : ` up to ${max}`}, got "${value}".`,
      );
    }
    return value;
  };
}

function positiveDecimal(flag: string) {
  const check = decimal(flag);
  return (value: string): string => {
    if (!(Number(check(value)) > 0)) throw new InvalidArgumentError(`${flag} must be above 0, got "${value}".`);
    return value;
  };
}

function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${flag} expects a whole number of at least ${min}, got "${value}".`);
    return Number(value);
  };
}

function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`${flag} expects one of ${allowed.join(', ')}, got "${value}".`);
    return value as T;
  };
}

/** The flag each execution field comes from, to name it in an error. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  makerFeeRate: '--commission',
  takerFeeRate: '--commission',
  slippageBps: '--slippage',
  slippageImpact: '--slippage',
  spreadBps: '--spread',
  latencyMs: '--latency',
  lot: '--lot',
  tick: '--tick',
  fill: '--fill',
};

export interface BacktestFlags {
  /** One file; or, for a strategy that trades a unit of instruments, `BASE/QUOTE=file` per instrument. */
  data: string[];
  strategy: string;
  param: ParamAxis[];
  cash: string;
  commission: string;
  fill: 'next-open' | 'close';
  size: string;
  lot: string;
  tick: string;
  spread: string;
  slippage: string;
  latency: number;
  symbol?: string;
  input?: DataKind;
  longShort?: boolean;
  barPrice?: BarPrice;
  json?: boolean;
  report?: string;
  rank: RankKey;
  workers?: number;
}

export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('run a strategy over historical bars with the same strategy, risk and order cores')
    .requiredOption(
      '--data <file>',
      'OHLCV CSV bars, quote or trade ticks (CSV or NDJSON), or a market-data capture (.ndjson.gz or its directory); for a strategy that trades a unit of instruments, BASE/QUOTE=bars.csv once per instrument',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--input <kind>',
      `what --data holds (default: detected): ${DATA_KINDS.join(', ')}`,
      choice('--input', DATA_KINDS),
    )
    .requiredOption(
      '--strategy <name|file>',
      `a built-in strategy (${Object.keys(builtinStrategies).join(', ')}) or a strategy module: ./file.ts[#export] or a package`,
    )
    .option(
      '--param <name=value>',
      'a strategy parameter; repeat for more; a range a..b:step or a list a,b sweeps it',
      collectParamAxis,
      [],
    )
    .option('--cash <amount>', 'starting cash in the quote asset', positiveDecimal('--cash'), '10000')
    .option('--commission <rate|maker/taker>', 'commission on traded value, e.g. 0.001 or 0.0008/0.001', '0')
    .option('--fill <mode>', 'next-open or close', choice('--fill', ['next-open', 'close'] as const), 'next-open')
    .option('--size <fraction|qty:N>', 'fraction of equity (1 = all of it) or a fixed quantity qty:N', '1')
    .option('--lot <step>', 'quantity step (1 = whole units)', positiveDecimal('--lot'), '0.00000001')
    .option('--tick <step>', 'price step', positiveDecimal('--tick'), '0.01')
    .option(
      '--spread <bps>',
      'bid/ask spread around bar prices, in basis points',
      decimal('--spread', { max: 10000 }),
      '0',
    )
    .option('--slippage <bps[:impact]>', 'fixed slippage in bps, plus impact × size / volume', '0')
    .option('--latency <ms>', 'delay from decision to the venue', wholeNumber('--latency', 0), 0)
    .option('--symbol <BASE/QUOTE>', "instrument name for the data (default ASSET/USD; a capture's first instrument)")
    .option('--long-short', 'allow short positions (a signal against the position flips it)')
    .option(
      '--bar-price <price>',
      `ticks: what the strategy's bars are built from, ${BAR_PRICES.join(', ')} (last = trades; default mid for quote files, last otherwise)`,
      choice('--bar-price', BAR_PRICES),
    )
    .option('--json', 'print { stats, trades } as JSON (a sweep: { runs: [{ params, stats }] }, ranked)')
    .option('--report <dir>', 'write trades.csv, report.json, report.html and equity.svg there')
    .option(
      '--rank <stat>',
      `sweep: rank by this statistic (${RANKABLE.join(', ')})`,
      choice('--rank', RANKABLE),
      'returnPct',
    )
    .option('--workers <n>', 'sweep: worker threads (default: the cores available)', wholeNumber('--workers', 1))
    .action(async (flags: BacktestFlags) => {
      process.exitCode = await runBacktestCommand(flags);
    });
}

function usage(message: string): number {
  console.error(`bourse: ${message}`);
  return EXIT_USAGE;
}

async function runBacktestCommand(flags: BacktestFlags): Promise<number> {
  const commission = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(flags.commission);
  if (!commission) return usage(`--commission expects a rate or maker/taker rates, got "${flags.commission}"`);
  const slippage = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(flags.slippage);
  if (!slippage) return usage(`--slippage expects bps or bps:impact, got "${flags.slippage}"`);
  const qtySize = /^qty:(\d+(?:\.\d+)?)$/.exec(flags.size);
  if (!qtySize && !(DECIMAL.test(flags.size) && Number(flags.size) > 0 && Number(flags.size) <= 1)) {
    return usage(`--size expects a fraction in (0, 1] or qty:N, got "${flags.size}"`);
  }
  if (flags.symbol !== undefined && !/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(flags.symbol))
    return usage(`--symbol expects BASE/QUOTE, got "${flags.symbol}"`);
  if (flags.report !== undefined && isSweep(flags.param))
    return usage('--report writes one run; drop it for a sweep, or give single --param values');

  const { isStrategyError } = await import('@bourse/strategy');
  const { loadStrategy, parseStrategyRef, isStrategyLoadError } = await import('@bourse/strategy/loader');
  const backtest = await import('@bourse/backtest');
  // A built-in by name, or a module path relative to the working directory (the loader's checks:
  // file, export, no I/O imports); params are checked below, per combination.
  const ref = parseStrategyRef(flags.strategy, process.cwd());
  let strategy;
  // The hash of the strategy's code: the run's intents carry it, as the runner's do.
  let codeHash: string;
  try {
    ({ definition: strategy, codeHash } = await loadStrategy(ref));
  } catch (err) {
    if (!isStrategyLoadError(err)) throw err;
    return usage(`--strategy: ${err.message}`);
  }
  if (strategy.unit !== undefined) return runUnitCommand(flags, strategy, codeHash);
  if (flags.data.length > 1) {
    return usage(
      `--data: given ${flags.data.length} times; several instruments' data is for a strategy that declares a unit of instruments, and ${strategy.name} does not`,
    );
  }
  const dataPath = flags.data[0]!;
  const input = flags.input ?? (await backtest.detectDataKind(dataPath));
  if (!DATA_KINDS.includes(input as DataKind)) return usage(`--data: ${input}`);
  if (input === 'bars' && flags.barPrice !== undefined)
    return usage("--bar-price: --data holds bars, which are the data's own prices; --bar-price builds bars from ticks");
  if (input !== 'bars' && isSweep(flags.param))
    return usage(`--param: sweeps run over bars; --data holds ${input}, so give single --param values`);
  let symbol = flags.symbol;
  if (symbol === undefined && input === 'capture') {
    try {
      symbol = await backtest.captureSymbol(dataPath);
    } catch (err) {
      return usage(`--data: ${(err as Error).message}`);
    }
    if (symbol === undefined) return usage(`--data: the capture ${dataPath} holds no quote or trade`);
  }
  // Ticks: the equity curve takes one point a minute, and the strategy's bars are 1m unless
  // `--param timeframe=` says otherwise.
  const barMs = input === 'bars' ? await barPeriod(dataPath, backtest.readBarsCsv) : TICK_CURVE_MS;
  if (typeof barMs === 'string') return usage(`--data: ${barMs}`);
  const plan: BacktestPlan = {
    strategy: ref,
    dataPath,
    input: input as DataKind,
    symbol: symbol ?? 'ASSET/USD',
    cash: flags.cash,
    longShort: flags.longShort === true,
    barMs,
    // A quote file has no trades to build bars from: its bars are the quotes' mid unless asked otherwise.
    ...(input === 'bars' ? {} : { barPrice: flags.barPrice ?? (input === 'quotes' ? 'mid' : 'last') }),
    execution: {
      fill: flags.fill,
      makerFeeRate: commission[1]!,
      takerFeeRate: commission[2] ?? commission[1]!,
      slippageBps: slippage[1]!,
      slippageImpact: slippage[2] ?? '0',
      latencyMs: flags.latency,
      spreadBps: flags.spread,
      lot: flags.lot,
      tick: flags.tick,
    },
    baseParams: {
      timeframe: timeframeOf(barMs),
      sizing: qtySize ? { kind: 'qty', qty: qtySize[1] } : { kind: 'fraction', fraction: flags.size },
      mode: flags.longShort === true ? 'long-short' : 'long-only',
    },
    axes: flags.param,
  };
  try {
    backtest.executionModel(plan.execution);
  } catch (err) {
    if (err instanceof backtest.InvalidBacktestArgumentError) {
      return usage(`${FLAG_OF_FIELD[err.field] ?? err.field}: ${err.message}`);
    }
    throw err;
  }
  const { specFor } = backtest;
  let grid;
  try {
    grid = expandGrid(plan.axes);
  } catch (err) {
    return usage((err as Error).message);
  }
  // Each combination is checked by the strategy's own schema; a sweep skips the ones it refuses
  // (fast ≥ slow), a single run stops on it.
  const refusals: string[] = [];
  const valid = grid.filter((params) => {
    try {
      strategy.parseParams(specFor(plan, params, strategy).params);
      return true;
    } catch (err) {
      if (!isStrategyError(err)) throw err;
      refusals.push(err.message);
      return false;
    }
  });
  if (valid.length === 0)
    return usage(
      `--param: ${grid.length === 1 ? refusals[0] : `no combination of the grid is valid for ${flags.strategy}`}`,
    );
  return isSweep(plan.axes)
    ? runSweepCommand(flags, plan, valid, grid.length - valid.length)
    : runOnce(flags, plan, strategy, codeHash);
}

async function runOnce(
  flags: BacktestFlags,
  plan: BacktestPlan,
  strategy: StrategyDefinition,
  codeHash: string,
): Promise<number> {
  const backtest = await import('@bourse/backtest');
  const { runBacktest, runTickBacktest, specFor, describeExecution, writeReportFiles, countRows } = backtest;
  const params = Object.fromEntries(plan.axes.map((a) => [a.name, a.values[0]!]));
  // A bar on a terminal only, never with --json; its total is the file's rows, counted ahead.
  const drawing = flags.json !== true && process.stderr.isTTY === true;
  const total = drawing ? ((await countRows(plan.dataPath, plan.input)) ?? 0) : 0;
  const progress = new backtest.ProgressBar(total, {
    output: process.stderr,
    label: 'backtest',
    enabled: drawing,
  });
  const spec = specFor(plan, params, strategy, codeHash);
  let result;
  try {
    if (plan.input === 'bars') {
      result = await runBacktest(spec, backtest.readBarsCsv(plan.dataPath), (n) => progress.update(n));
    } else {
      const { captureFileTicks, fileTicks } = backtest;
      const ticks =
        plan.input === 'capture' ? captureFileTicks(plan.dataPath, plan.symbol) : fileTicks(plan.input, plan.dataPath);
      result = await runTickBacktest(spec, ticks, (n) => progress.update(n));
    }
  } catch (err) {
    progress.stop();
    if (backtest.isBacktestError(err)) return usage(err.message);
    const { isMarketDataError } = await import('@bourse/market-feed');
    if (isMarketDataError(err)) {
      console.error(`bourse: --data: ${err.message}`);
      return 1;
    }
    throw err;
  }
  progress.finish();
  for (const warning of result.warnings) console.error(`bourse: warning: ${warning}`);
  const quoteDecimals = backtest.decimalsOf(result.execution.tick);
  if (flags.json === true) {
    console.log(JSON.stringify(backtest.jsonReport(result.stats, result.trades)));
  } else {
    console.log(backtest.formatStatsTable(result.stats, { quoteDecimals }));
    for (const line of describeExecution(result)) console.log(line);
  }
  if (flags.report !== undefined) {
    const { dataSha256 } = backtest;
    const { readVersion } = await import('../version.js');
    const run: RunInfo = {
      strategy: spec.strategy.name,
      strategyVersion: spec.strategy.version,
      codeHash,
      params: spec.strategy.parseParams(spec.params) as Record<string, unknown>,
      data: plan.dataPath,
      dataSha256: await dataSha256(plan.dataPath),
      dataKind: plan.input,
      symbol: plan.symbol,
      cash: plan.cash,
      longShort: plan.longShort,
      ...(plan.barPrice !== undefined ? { barPrice: plan.barPrice } : {}),
      execution: result.execution,
      bourseVersion: readVersion().version,
    };
    await writeReportFiles(flags.report, run, result);
  }
  return 0;
}

const LEG_DATA = /^([A-Z0-9]{1,20}\/[A-Z0-9]{1,20})=(.+)$/;

/**
 * A strategy that trades a unit of instruments (issue 21 § 4): `--data BASE/QUOTE=bars.csv` once per
 * instrument, in the order the strategy takes them; one run of `runUnitBacktest` over the bars lined
 * up by time (no sweep, bars only, orders sized by qty). Prints the unit's stats and each leg's fills
 * and round trips (`--json`: `{ stats, trades, legs: [{ symbol, fills, trades }] }`).
 */
async function runUnitCommand(flags: BacktestFlags, strategy: StrategyDefinition, codeHash: string): Promise<number> {
  const backtest = await import('@bourse/backtest');
  const legs: { symbol: string; file: string }[] = [];
  for (const value of flags.data) {
    const m = LEG_DATA.exec(value);
    if (m === null) {
      return usage(
        `--data: ${strategy.name} trades its instruments as one unit: give --data BASE/QUOTE=bars.csv once per instrument, got "${value}"`,
      );
    }
    legs.push({ symbol: m[1]!, file: m[2]! });
  }
  if (isSweep(flags.param)) return usage('--param: a unit backtest runs once; give single --param values');
  if (flags.report !== undefined) return usage('--report: not written for a unit backtest yet; use --json');
  const bars: Record<string, Bar[]> = {};
  for (const leg of legs) {
    try {
      bars[leg.symbol] = await collect(backtest.readBarsCsv(leg.file));
    } catch (err) {
      if (backtest.isBacktestError(err)) return usage(`--data ${leg.symbol}: ${err.message}`);
      throw err;
    }
  }
  const barMs = await barPeriod(legs[0]!.file, backtest.readBarsCsv);
  if (typeof barMs === 'string') return usage(`--data: ${barMs}`);
  const single = Object.fromEntries(flags.param.map((a) => [a.name, a.values[0]!]));
  const plan: BacktestPlan = {
    strategy: { kind: 'builtin', name: strategy.name },
    dataPath: legs[0]!.file,
    input: 'bars',
    symbol: legs[0]!.symbol,
    cash: flags.cash,
    longShort: flags.longShort === true,
    barMs,
    execution: unitExecution(flags),
    baseParams: { timeframe: timeframeOf(barMs) },
    axes: flags.param,
  };
  // The user's module's params: the flags' timeframe only where its schema takes one (specFor's rule).
  const spec = backtest.specFor({ ...plan, strategy: { kind: 'module', module: '-', baseDir: '/' } }, single, strategy);
  const symbols = legs.map((l) => l.symbol);
  try {
    strategy.instantiate({ params: spec.params, instruments: symbols });
  } catch (err) {
    const { isStrategyError } = await import('@bourse/strategy');
    if (!isStrategyError(err)) throw err;
    return usage(`--data: ${err.message}`);
  }
  let result;
  try {
    result = await backtest.runUnitBacktest(
      {
        strategy,
        params: spec.params,
        symbols,
        cash: flags.cash,
        execution: plan.execution,
        longShort: plan.longShort,
        barMs,
        codeHash,
      },
      bars,
    );
  } catch (err) {
    if (backtest.isBacktestError(err)) return usage(err.message);
    throw err;
  }
  const allTrades = result.legs.flatMap((l) => l.trades).sort((a, b) => a.exitTime - b.exitTime);
  if (flags.json === true) {
    const report = backtest.jsonReport(result.stats, allTrades);
    const legsJson = result.legs.map((l) => ({
      symbol: l.symbol,
      bars: l.bars,
      fills: l.fills,
      closedOutQty: l.closedOutQty ?? null,
      trades: backtest.jsonReport(result.stats, l.trades).trades,
    }));
    console.log(JSON.stringify({ ...report, legs: legsJson, rejections: result.rejections }));
  } else {
    console.log(backtest.formatStatsTable(result.stats, { quoteDecimals: backtest.decimalsOf(result.execution.tick) }));
    for (const l of result.legs) {
      console.log(`${l.symbol}: ${l.bars} bars, ${l.fills} fills, ${l.trades.length} round trips`);
    }
    // Each instrument's account holds its share of the cash: an order it cannot fund is refused there.
    if (result.rejections.length > 0) {
      console.log(`${result.rejections.length} intent(s) or order(s) refused or not filled, e.g.:`);
      for (const line of result.rejections.slice(0, 3)) console.log(`  ${line}`);
    }
  }
  return 0;
}

/** The execution flags as the one-instrument run reads them (checked at the start of the command). */
function unitExecution(flags: BacktestFlags): BacktestPlan['execution'] {
  const [maker = '0', taker = maker] = flags.commission.split('/');
  const [bps = '0', impact = '0'] = flags.slippage.split(':');
  return {
    fill: flags.fill,
    makerFeeRate: maker,
    takerFeeRate: taker,
    slippageBps: bps,
    slippageImpact: impact,
    latencyMs: flags.latency,
    spreadBps: flags.spread,
    lot: flags.lot,
    tick: flags.tick,
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function runSweepCommand(
  flags: BacktestFlags,
  plan: BacktestPlan,
  grid: Record<string, number | string>[],
  skipped: number,
): Promise<number> {
  const backtest = await import('@bourse/backtest');
  const { runSweep, rankRows, formatSweepTable } = backtest;
  const progress = new backtest.ProgressBar(grid.length, {
    output: process.stderr,
    label: 'sweep',
    enabled: flags.json !== true,
  });
  let swept;
  try {
    swept = await runSweep(plan, grid, {
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      onDone: (n) => progress.update(n),
    });
  } finally {
    progress.stop();
  }
  const rows = rankRows(swept, flags.rank);
  if (flags.json === true) {
    const runs = rows.map((r) => ({
      params: r.params,
      ...(r.stats !== undefined ? { stats: backtest.jsonReport(r.stats, []).stats } : { error: r.error }),
    }));
    console.log(JSON.stringify({ rank: flags.rank, skipped, runs }));
  } else {
    const names = plan.axes.filter((a) => a.values.length > 1).map((a) => a.name);
    console.log(formatSweepTable(rows, names, flags.rank));
    if (skipped > 0) console.log(`${skipped} combination(s) skipped: the strategy refuses their params`);
  }
  return rows.some((r) => r.stats === undefined) ? 1 : 0;
}

function timeframeOf(barMs: number): string {
  if (barMs % 86_400_000 === 0) return `${barMs / 86_400_000}d`;
  if (barMs % 3_600_000 === 0) return `${barMs / 3_600_000}h`;
  if (barMs % 60_000 === 0) return `${barMs / 60_000}m`;
  return `${Math.max(1, Math.round(barMs / 1000))}s`;
}

/** The bars' period: the smallest gap among the first bars (weekends make larger ones). */
async function barPeriod(path: string, read: typeof readBarsCsv): Promise<number | string> {
  let previous: number | undefined;
  let smallest = Infinity;
  let seen = 0;
  try {
    for await (const bar of read(path)) {
      if (previous !== undefined) smallest = Math.min(smallest, bar.time - previous);
      previous = bar.time;
      if (++seen >= 50) break;
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (!Number.isFinite(smallest)) return 'needs at least two bars';
  return smallest;
}
