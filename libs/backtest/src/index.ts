// Public surface of @bourse/backtest: data input, statistics, reports, the simulated venue, and the
// engine that drives the strategy-runner, risk-gate and OMS cores over the data on a virtual clock
// (one run, or a sweep across worker threads). `bourse backtest` is a command over these names.

export {
  BacktestError,
  BacktestErrorCode,
  BadRowError,
  BadHeaderError,
  InvalidBacktestArgumentError,
  isBacktestError,
  type BadRow,
} from './errors.js';
export type { EquityPoint, ClosedTrade, Stats, StatsInput } from './types.js';

export { textSource, readLines, splitCsvLine, type DataSource } from './data/source.js';
export { parseTimestamp, EPOCH_SECONDS_BELOW, EPOCH_MILLIS_BELOW } from './data/time.js';
export { toPlainDecimal } from './data/fields.js';
export {
  RowStream,
  DEFAULT_MAX_LISTED_BAD_ROWS,
  type OnBadRow,
  type ReadOptions,
  type ReadSummary,
  type ReadResult,
} from './data/row-reader.js';
export { readBarsCsv, type Bar, type BarReadOptions } from './data/bars.js';
export { sampleBars } from './data/sample-bars.js';
export { captureTicks, type CapturedMarketEvent } from './data/capture-ticks.js';
export {
  DATA_KINDS,
  detectDataKind,
  fileTicks,
  captureSymbol,
  captureFileTicks,
  dataSha256,
  countRows,
  type DataKind,
} from './data/data-input.js';
export {
  readQuoteTicks,
  readTradeTicks,
  type QuoteTick,
  type TradeTick,
  type TickFormat,
  type TickReadOptions,
} from './data/ticks.js';

export { computeStats } from './stats/compute-stats.js';
export { closedTrade, type TradeLegs } from './stats/trade.js';
export { geometricMean, dailyReturns, annualTradingDays } from './stats/returns.js';
export { drawdownSeries, maxDrawdown, maxDrawdownDays } from './stats/drawdown.js';

export { tradesToCsv, TRADES_CSV_HEADER } from './report/trades-csv.js';
export { jsonReport, type JsonReport, type StatsJson, type TradeJson } from './report/json-report.js';
export { formatStatsTable, formatStat, STATS_LABELS, MONEY_STATS, type StatFormat } from './report/stats-table.js';
export { equityCurveSvg, type EquitySvgOptions } from './report/svg.js';
export { htmlReport, closeoutText, DEFAULT_HTML_MAX_POINTS, type HtmlReportInput } from './report/html-report.js';
export { runInputRows, formatParams, decimalsOf, type RunInfo, type CloseoutInfo } from './report/run-info.js';
export { formatMoney, UNDEFINED_FIGURE } from './report/format.js';
export { ProgressBar, type ProgressBarOptions, type ProgressOutput } from './report/progress.js';
export { REPORT_FILES, writeReportFiles, describeExecution } from './report/report-files.js';

export {
  executionModel,
  DEFAULT_EXECUTION,
  type ExecutionConfig,
  type ExecutionModel,
  type FillMode,
} from './engine/execution.js';
export { VirtualClock } from './engine/virtual-clock.js';
export { touch, quoteAround, onTick, commission, quoteSizedQty } from './engine/pricing.js';
export { takerLevel, barPath, type BarRange } from './engine/liquidity.js';
export { RoundTrips, type OwnFill } from './engine/round-trips.js';
export { SimVenue, type SimVenueOptions, type PriceEvent, type VenueReport } from './engine/sim-venue.js';

export { runBacktest, runTickBacktest } from './run/run-backtest.js';
export {
  BACKTEST_VENUE,
  BACKTEST_STRATEGY_ID,
  type BacktestSpec,
  type BacktestResult,
  type DataHeld,
  type Closeout,
  type TickEvent,
} from './run/spec.js';

export { specFor, type BacktestPlan, type ParamAxis, type ParamValue } from './sweep/plan.js';
export {
  runSweep,
  rankRows,
  formatSweepTable,
  RANKABLE,
  type RankKey,
  type SweepJob,
  type SweepReply,
  type SweepRow,
  type SweepOptions,
} from './sweep/run-sweep.js';
export {
  runUnitBacktest,
  type UnitBacktestSpec,
  type UnitBacktestResult,
  type UnitLegResult,
} from './run/unit-backtest.js';
export { SimVenues } from './engine/sim-venues.js';
