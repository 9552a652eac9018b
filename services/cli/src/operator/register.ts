// Registers the operator commands (status, kill, resume, cancel-all, book-transfer, positions,
// orders, fills, quotes, recon, audit, migrate) on the `bourse` program. Kept out of main.ts so that
// file stays wiring only. The server drivers load only when a command runs.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadConfigs, operatorName } from '../config.js';
import { repoRoot, stateDir } from '../paths.js';
import { parseSince } from './audit-since.js';
import type { OperatorContext } from './context.js';
import { parseAssetFlag, parseDeltaFlag } from './transfer-flags.js';

function wholeNumber(min: number, max: number, unit: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number of ${unit}, got "${value}".`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected ${min} to ${max} ${unit}, got ${n}.`);
    return n;
  };
}

function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value.trim();
}

interface CommonFlags {
  config?: string;
  json?: boolean;
  by?: string;
}

/** Loads the config, opens a context, runs the command, closes every connection, sets the exit code. */
async function withContext(
  flags: CommonFlags,
  run: (ctx: OperatorContext) => Promise<number>,
  acts = false,
): Promise<void> {
  const { platform } = loadConfigs(repoRoot(), flags.config);
  // Reads need no name; an act (kill, resume, cancel-all, recon) is recorded with one.
  const operator = acts ? operatorName(flags.by) : 'reader';
  const { createOperatorContext } = await import('./context.js');
  const { busCredentialsFromEnv } = await import('@bourse/bus');
  const { storedOperatorCredentials } = await import('@bourse/servers');
  // NATS credentials from the environment, else the operator user of the nats-server `bourse start` runs.
  const natsCredentials = busCredentialsFromEnv(process.env) ?? storedOperatorCredentials(stateDir(repoRoot()));
  const ctx = createOperatorContext({
    config: platform.config,
    operator,
    ...(natsCredentials !== undefined ? { natsCredentials } : {}),
  });
  try {
    process.exitCode = await run(ctx);
  } finally {
    await ctx.close();
  }
}

const configOption = () =>
  new Option('--config <file>', 'platform config file (default: BOURSE_CONFIG or config/bourse.yaml)');
const jsonOption = () => new Option('--json', 'print JSON for scripts');
const byOption = () =>
  new Option('--by <name>', 'operator name recorded with the act (default: $USER)').argParser(nonEmpty);
const timeoutOption = (fallback: number) =>
  new Option('--timeout <ms>', 'how long to wait for the service to answer')
    .argParser(wholeNumber(100, 600_000, 'milliseconds'))
    .default(fallback);
const scopeOptions = () => [
  new Option('--instrument <symbol>', 'only this instrument (BTCUSDT or BTC/USDT)').conflicts('strategy'),
  new Option('--strategy <id>', 'only this strategy').conflicts('instrument'),
];

function withOptions(command: Command, options: Option[]): Command {
  for (const o of options) command.addOption(o);
  return command;
}

export function registerOperatorCommands(program: Command): void {
  withOptions(
    program
      .command('status')
      .description("services' health, trading state, last reconciliation, positions, P&L per strategy, open orders"),
    [
      configOption(),
      jsonOption(),
      new Option('--watch', 'refresh in place until Ctrl-C'),
      new Option(
        '--check',
        'only the verdict, for scripts and probes: exit 0 when every service is ready and trading is ACTIVE, else 1',
      ).conflicts('watch'),
      new Option('--interval <ms>', 'refresh interval of --watch')
        .argParser(wholeNumber(250, 3_600_000, 'milliseconds'))
        .default(2_000),
      timeoutOption(1_000),
    ],
  ).action(async (opts: CommonFlags & { watch?: boolean; check?: boolean; interval: number; timeout: number }) => {
    const { runStatus } = await import('./status.js');
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await withContext(opts, (ctx) =>
        runStatus(ctx, {
          json: opts.json === true,
          watch: opts.watch === true,
          check: opts.check === true,
          intervalMs: opts.interval,
          timeoutMs: opts.timeout,
          tty: process.stdout.isTTY === true,
          stop: controller.signal,
        }),
      );
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });

  withOptions(program.command('kill').description('halt trading (HALTED) globally or for one instrument or strategy'), [
    configOption(),
    jsonOption(),
    byOption(),
    ...scopeOptions(),
    new Option('--cancel-all', 'also ask the order manager to cancel every open order in the scope'),
    new Option('--reason <text>', 'why (recorded with the state)').argParser(nonEmpty).makeOptionMandatory(),
    timeoutOption(10_000),
  ]).action(
    async (
      opts: CommonFlags & {
        instrument?: string;
        strategy?: string;
        cancelAll?: boolean;
        reason: string;
        timeout: number;
      },
    ) => {
      const { scopeFrom } = await import('./scope.js');
      const { runKill } = await import('./trading-state.js');
      const scope = scopeFrom(opts);
      await withContext(
        opts,
        (ctx) =>
          runKill(ctx, {
            scope,
            reason: opts.reason,
            cancelAll: opts.cancelAll === true,
            json: opts.json === true,
            timeoutMs: opts.timeout,
          }),
        true,
      );
    },
  );

  withOptions(
    program
      .command('resume')
      .description(
        'set trading ACTIVE again globally or for one instrument or strategy (or --all); names every scope that stays halted',
      ),
    [
      configOption(),
      jsonOption(),
      byOption(),
      ...scopeOptions(),
      new Option('--all', 'every scope that is not ACTIVE, and global').conflicts(['instrument', 'strategy']),
      new Option('--reason <text>', 'why (recorded with the state)').argParser(nonEmpty).makeOptionMandatory(),
    ],
  ).action(async (opts: CommonFlags & { instrument?: string; strategy?: string; all?: boolean; reason: string }) => {
    const { scopeFrom } = await import('./scope.js');
    const { runResume } = await import('./trading-state.js');
    const scope = scopeFrom(opts);
    await withContext(
      opts,
      (ctx) => runResume(ctx, { scope, reason: opts.reason, json: opts.json === true, all: opts.all === true }),
      true,
    );
  });

  withOptions(
    program.command('cancel-all').description('ask the order manager to cancel every open order in a scope'),
    [configOption(), jsonOption(), byOption(), ...scopeOptions(), timeoutOption(10_000)],
  ).action(async (opts: CommonFlags & { instrument?: string; strategy?: string; timeout: number }) => {
    const { scopeFrom } = await import('./scope.js');
    const { runCancelAll } = await import('./oms.js');
    const scope = scopeFrom(opts);
    await withContext(
      opts,
      (ctx) => runCancelAll(ctx, { scope, json: opts.json === true, timeoutMs: opts.timeout }),
      true,
    );
  });

  withOptions(
    program
      .command('book-transfer')
      .description(
        'book a balance change found at the venue that no user-data event reported (the order manager books it as a transfer; exit 1 if refused)',
      ),
    [
      configOption(),
      jsonOption(),
      byOption(),
      new Option('--asset <code>', 'the asset whose balance changed (USDT)')
        .argParser(parseAssetFlag)
        .makeOptionMandatory(),
      new Option(
        '--delta <amount>',
        'signed amount: positive in (deposit), negative out (withdrawal), e.g. 250 or -12.5',
      )
        .argParser(parseDeltaFlag)
        .makeOptionMandatory(),
      new Option('--reason <text>', 'why (recorded in the audit log)').argParser(nonEmpty).makeOptionMandatory(),
      timeoutOption(10_000),
    ],
  ).action(async (opts: CommonFlags & { asset: string; delta: string; reason: string; timeout: number }) => {
    const { runBookTransfer } = await import('./transfer.js');
    await withContext(
      opts,
      (ctx) =>
        runBookTransfer(ctx, {
          asset: opts.asset,
          delta: opts.delta,
          reason: opts.reason,
          json: opts.json === true,
          timeoutMs: opts.timeout,
        }),
      true,
    );
  });

  withOptions(program.command('positions').description('positions per strategy and instrument, with marks and P&L'), [
    configOption(),
    jsonOption(),
  ]).action(async (opts: CommonFlags) => {
    const { runPositions } = await import('./views.js');
    await withContext(opts, (ctx) => runPositions(ctx, { json: opts.json === true }));
  });

  withOptions(program.command('orders').description('open orders (with --all, the newest orders of any status)'), [
    configOption(),
    jsonOption(),
    new Option('--all', 'every status, not only open orders'),
    new Option('--limit <n>', 'with --all, how many of the newest')
      .argParser(wholeNumber(1, 100_000, 'orders'))
      .default(50),
  ]).action(async (opts: CommonFlags & { all?: boolean; limit: number }) => {
    const { runOrders } = await import('./views.js');
    await withContext(opts, (ctx) =>
      runOrders(ctx, { json: opts.json === true, all: opts.all === true, limit: opts.limit }),
    );
  });

  withOptions(program.command('fills').description('the newest fills'), [
    configOption(),
    jsonOption(),
    new Option('--limit <n>', 'how many').argParser(wholeNumber(1, 100_000, 'fills')).default(20),
  ]).action(async (opts: CommonFlags & { limit: number }) => {
    const { runFills } = await import('./views.js');
    await withContext(opts, (ctx) => runFills(ctx, { json: opts.json === true, limit: opts.limit }));
  });

  withOptions(
    program
      .command('trace')
      .description("an order's trace id (with BOURSE_JAEGER_URL: its Jaeger link and span tree)")
      .argument('<client-order-id>', 'the order'),
    [configOption(), jsonOption()],
  ).action(async (clientOrderId: string, opts: CommonFlags) => {
    const { runTrace } = await import('./trace.js');
    const { loadConfig } = await import('../config.js');
    const jaegerUrl = loadConfig().jaegerUrl;
    await withContext(opts, (ctx) => runTrace(ctx, { clientOrderId, json: opts.json === true, jaegerUrl }));
  });

  withOptions(program.command('quotes').description("the market-data gateway's snapshots in Redis"), [
    configOption(),
    jsonOption(),
  ]).action(async (opts: CommonFlags) => {
    const { runQuotes } = await import('./views.js');
    await withContext(opts, (ctx) => runQuotes(ctx, { json: opts.json === true }));
  });

  withOptions(
    program.command('recon').description('run a reconciliation now and print the report (exit 1 unless ok)'),
    [configOption(), jsonOption(), byOption(), timeoutOption(60_000)],
  ).action(async (opts: CommonFlags & { timeout: number }) => {
    const { runRecon } = await import('./recon.js');
    await withContext(opts, (ctx) => runRecon(ctx, { json: opts.json === true, timeoutMs: opts.timeout }), true);
  });

  withOptions(program.command('reload-limits').description('ask the risk gate to re-read its limits file now'), [
    configOption(),
    jsonOption(),
    byOption(),
    new Option('--reason <text>', 'why (recorded in the audit log)').argParser(nonEmpty),
    timeoutOption(10_000),
  ]).action(async (opts: CommonFlags & { reason?: string; timeout: number }) => {
    const { runReloadLimits } = await import('./limits.js');
    await withContext(
      opts,
      (ctx) =>
        runReloadLimits(ctx, {
          json: opts.json === true,
          timeoutMs: opts.timeout,
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        }),
      true,
    );
  });

  withOptions(
    program
      .command('audit')
      .description('the operator actions recorded in PostgreSQL: who, when, from where, what, why, outcome'),
    [
      configOption(),
      jsonOption(),
      new Option('--since <when>', 'only actions since a duration ago (30m, 2h, 7d) or an ISO time').argParser(
        (value: string) => {
          const since = parseSince(value, Date.now());
          if (since === undefined)
            throw new InvalidArgumentError(`expected a duration (30m, 2h, 7d) or an ISO time, got "${value}".`);
          return since;
        },
      ),
    ],
  ).action(async (opts: CommonFlags & { since?: number }) => {
    const { runAudit } = await import('./audit.js');
    await withContext(opts, (ctx) =>
      runAudit(ctx, { json: opts.json === true, ...(opts.since !== undefined ? { since: opts.since } : {}) }),
    );
  });

  withOptions(program.command('migrate').description('create the database if missing and apply the schemas'), [
    configOption(),
    jsonOption(),
  ]).action(async (opts: CommonFlags) => {
    const { runMigrate } = await import('./migrate.js');
    await withContext(opts, (ctx) => runMigrate(ctx, { json: opts.json === true }));
  });
}
