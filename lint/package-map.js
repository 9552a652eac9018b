// @ts-check
// The package map the layer rule checks (README.md, "Package map", draws it). Paths are relative
// to the repository root and matched as globs (`*` one path segment, `**` any number), so a new
// library or service is covered the moment its folder exists: every library is an engine (pure)
// unless it is listed below as an I/O adapter, and every folder under services/ is a service.

/** Services: shells around engines. Nothing imports them but whole-system tests (and test code, the simulator). */
export const SERVICE_DIRS = 'services/*';

/**
 * The exchange simulator is the venue every test trades against: test code anywhere may start it
 * in-process. Production code never imports it.
 */
export const TEST_VENUE = '@bourse/exchange-sim';

/**
 * Libraries whose job is I/O: the bus, the database, process supervision, logging and metrics,
 * the order manager's read side, service scaffolding, and the venue adapters. Every other library
 * is an engine, and engines are pure.
 */
export const ADAPTER_LIBS = [
  'libs/bus',
  'libs/store',
  'libs/servers',
  'libs/telemetry',
  'libs/ledger',
  'libs/service',
  'libs/venues/*', // venue adapters (libs/venues/binance); libs/venues itself is the port, pure
];

/**
 * Cores: the engine libraries (everything under libs/ that is not an adapter) and the pure core
 * folder a service may still keep. They import no I/O and no shell.
 */
export const SERVICE_CORES = ['services/*/src/core/**'];

/**
 * Files inside an engine library that are its I/O edge (reading a data file, drawing progress on a
 * terminal, loading a script from disk). Keep these few and at the edge: the engine itself must
 * not import them for its decisions. A core file that needs I/O belongs here or in a shell.
 */
export const ENGINE_IO_EDGES = [
  'libs/backtest/src/data/source.ts', // opens the data file the readers parse
  'libs/backtest/src/data/data-input.ts', // finds the data files of a run and hashes them for the report
  'libs/backtest/src/report/report-files.ts', // writes the report files of a run
  'libs/backtest/src/sweep/run-sweep.ts', // runs a sweep's backtests on worker threads
  'libs/backtest/src/sweep/sweep-worker.ts', // the worker thread's side
  'libs/backtest/src/report/html-script.ts', // inlines the chart library's script from node_modules
  'libs/backtest/src/report/progress.ts', // the terminal progress bar
  'libs/market-feed/src/capture/**', // reading a recorded capture file (readCapture: fs, the venue's decoder)
  'libs/market-feed/src/**/*capture*.ts',
  'libs/strategy/src/loader/**', // the strategy loader: reads and compiles users' strategy files (esbuild)
];

/** The bottom of the map and what each may import: nothing above it. */
export const FOUNDATION = {
  'libs/contracts': [],
  'libs/domain': ['libs/contracts'],
  'libs/venues': ['libs/contracts', 'libs/domain'], // the venue port: interfaces, venue types, VenueError
};

/** Strategies see market state and return intents: no bus, no venue (port or adapter). */
export const STRATEGY_LIBS = ['libs/strategy'];
export const STRATEGY_MAY_NOT_IMPORT = ['libs/bus', 'libs/venues', 'libs/venues/*'];

/** Modules that do I/O or start processes; a core may import none of them. Subpaths count (`fs/promises`). */
export const IO_MODULES = [
  'pg',
  '@nats-io/*',
  'ioredis',
  'redis',
  'ws',
  'got',
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'worker_threads',
  'cluster',
];

/** Test code: may start the simulator; in a core, may read files (fixtures, sources). */
export const TEST_CODE = [
  '**/*.test.ts',
  '**/test-support.ts',
  '**/test-support/**',
  'libs/**/src/testing.ts', // a library's ./testing entry
  'libs/**/src/testing/**',
  '**/test/**',
];

/**
 * Tests that need servers (the simulator, NATS, PostgreSQL, Redis, a browser, child processes),
 * named for it. In a core these are exempt from the I/O and shell rule: they wire the core to real
 * adapters. Every other test of a core is held to it, except that it may read files.
 */
export const SERVER_TESTS = [
  '**/*.{sim,e2e,process,system,browser,chaos}.test.ts',
  // A core's ./testing harness for those tests (e.g. market-feed's quote feed onto NATS).
  'libs/market-feed/src/testing.ts',
];

/** Modules test code of a core may import although they are I/O: reading fixture and source files. */
export const TEST_FILE_MODULES = ['fs'];

/**
 * The public entries of a package: `@bourse/x` and `@bourse/x/testing`, and `@bourse/strategy/loader`
 * (the strategy loader reads and compiles files; its own entry keeps the SDK a strategy imports pure).
 */
export const PUBLIC_SUBPATHS = ['testing', 'loader'];
