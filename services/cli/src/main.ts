#!/usr/bin/env node
// `bourse`, the operator command. Wires the commands to their modules and turns every outcome
// into an exit code: 0 done, 1 a check or a child failed, 2 a usage or configuration error.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { childEnv, loadConfig, loadConfigs } from './config.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '@bourse/servers';
import { registerBacktestCommand } from './backtest/command.js';
import { registerReplayCommand } from './replay/command.js';
import { registerStrategyCommand } from './strategy/command.js';
import { isCliError } from './errors.js';
import { guardOutput } from './output.js';
import { registerOperatorCommands } from './operator/register.js';
import { repoRoot, stateDir } from './paths.js';
import { formatVersion, readVersion } from './version.js';

// The server drivers (nats, pg, ioredis) load only for the commands that use them, so
// `bourse version`, `--help` and usage errors answer at once.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function milliseconds(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new InvalidArgumentError(`expected a whole number of milliseconds, got "${value}".`);
    const ms = Number(value);
    if (ms < min || ms > max) throw new InvalidArgumentError(`expected ${min} to ${max} milliseconds, got ${ms}.`);
    return ms;
  };
}

function buildProgram(): Command {
  const program = new Command('bourse')
    .description('Bourse operator command: check, start and run the trading platform.')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('Run `bourse --help` for the commands and their options.')
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('version')
    .description('print the bourse version and the Node.js version')
    .action(() => {
      console.log(formatVersion(readVersion()));
    });

  program
    .command('doctor')
    .description('check that NATS (with JetStream), PostgreSQL and Redis answer at the configured URLs')
    .option('--json', 'print the results as JSON')
    .option('--timeout <ms>', 'bound on each check', milliseconds(50, 60_000), DEFAULT_CHECK_TIMEOUT_MS)
    .option('--config <file>', 'platform config file (default: BOURSE_CONFIG or config/bourse.yaml)')
    .action(async (opts: { json?: boolean; timeout: number; config?: string }) => {
      const { allOk, formatJson, formatReport, runDoctor } = await import('./doctor/doctor.js');
      const results = await runDoctor(loadConfigs(repoRoot(), opts.config).cli, { timeoutMs: opts.timeout });
      console.log(opts.json === true ? formatJson(results) : formatReport(results));
      process.exitCode = allOk(results) ? EXIT_OK : EXIT_FAILURE;
    });

  program
    .command('start')
    .description('start the platform: the servers that do not answer (where possible), then every built service')
    .option(
      '--stop-timeout <ms>',
      'how long each process may take to stop before it is killed',
      milliseconds(100, 120_000),
      10_000,
    )
    .option(
      '--ready-timeout <ms>',
      'how long a started server may take to become ready',
      milliseconds(1_000, 600_000),
      60_000,
    )
    .option('--config <file>', 'platform config file (default: BOURSE_CONFIG or config/bourse.yaml)')
    .option(
      '--allow-changed',
      'development: run strategies whose code changed under an unchanged version (recording the new code hash) instead of refusing them',
    )
    .action(async (opts: { stopTimeout: number; readyTimeout: number; config?: string; allowChanged?: boolean }) => {
      const { cli: config, platform } = loadConfigs(repoRoot(), opts.config);
      const { runLauncher } = await import('./start/launcher.js');
      process.exitCode = await runLauncher(config, {
        root: repoRoot(),
        stateDir: stateDir(),
        uid: process.getuid?.() ?? -1,
        checkTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
        readyTimeoutMs: opts.readyTimeout,
        stopTimeoutMs: opts.stopTimeout,
        platform,
        allowChangedCode: opts.allowChanged === true,
      });
    });

  program
    .command('sim')
    .description('run the exchange simulator with the given arguments (passed through unchanged)')
    .argument('[args...]', 'arguments for the simulator (`bourse sim -- --help` shows its own help)')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      const { runSim } = await import('./sim.js');
      const { ensureSimCredentials } = await import('./start/sim-credentials.js');
      const config = loadConfig();
      const root = repoRoot();
      // The same pair `bourse start` uses, so a sim started by hand serves the same accounts.
      const keys = ensureSimCredentials(stateDir(root), { apiKey: config.simApiKey, apiSecret: config.simApiSecret });
      const env = childEnv({ BOURSE_SIM_API_KEY: keys.apiKey, BOURSE_SIM_API_SECRET: keys.apiSecret });
      process.exitCode = await runSim(root, args, env);
    });

  registerOperatorCommands(program);
  registerBacktestCommand(program);
  registerStrategyCommand(program);
  registerReplayCommand(program);

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests end here too, with their own exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isCliError(err)) {
      console.error(`bourse: ${err.message}`);
      return err.code === 'INVALID_CONFIG' || err.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
    }
    console.error(`bourse: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_FAILURE;
  }
}

// A reader that goes away (`| head`) ends a command quietly instead of with an EPIPE stack trace.
guardOutput();
process.exitCode = await main(process.argv.slice(2));
