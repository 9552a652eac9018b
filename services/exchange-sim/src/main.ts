// Process entry of the exchange sim (`pnpm bourse sim ...`). Prints its base URLs once it answers,
// and on SIGTERM / SIGINT / SIGHUP stops, saving state when a state file is configured.

import { watchParent } from '@bourse/telemetry';
import { ConfigError, loadConfig, USAGE } from './config.js';
import { startTelemetry } from '@bourse/telemetry';
import { startExchangeSim } from './server.js';

// When the launcher that reads our output is gone, a write to stdout fails with EPIPE; unhandled,
// that error kills the process before it has saved. The venue's state matters more than its log.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`exchange-sim: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (config.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string): void => console.log(`exchange-sim: ${line}`);
  // Signals are caught from the start: one that arrives while the sim is still starting stops it as
  // soon as it is up (saved, marker removed) instead of killing it half-way.
  let requested: { signal: string; code: number } | undefined;
  let onStop: ((signal: string, code: number) => void) | undefined;
  const request = (signal: string, code = 0): void => {
    if (onStop) onStop(signal, code);
    else requested ??= { signal, code };
  };
  // `on`, not `once`: a second Ctrl-C while saving must not take the default action and kill the save.
  // SIGHUP is what a closed terminal sends.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => request(signal));
  // A bug that escapes every handler still stops the venue the way a signal does: saved, exit 1.
  const crash = (err: unknown): void => {
    console.error(`exchange-sim: crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    request('crash', 1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  // Order placements that carry a trace context are server spans of that trace (see trace.ts).
  const telemetry = startTelemetry({ serviceName: 'exchange-sim', serviceVersion: '0.1.0' });
  const sim = await startExchangeSim({ ...config.options, processMetrics: true, log });
  console.log(`exchange-sim: REST    ${sim.restUrl}/api/v3`);
  console.log(`exchange-sim: streams ${sim.wsStreamUrl}/ws  ${sim.wsStreamUrl}/stream?streams=`);
  console.log(`exchange-sim: WS API  ${sim.wsApiUrl}`);
  console.log(`exchange-sim: admin   ${sim.adminUrl}`);
  if (config.options.stateFile) console.log(`exchange-sim: state   ${config.options.stateFile}`);
  // Started by `bourse start`: stop (SIGTERM, handled below) once the launcher is gone.
  watchParent();
  console.log(`exchange-sim: ready`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    onStop = (signal, code) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down${config.options.stateFile ? ' (saving state)' : ''}`);
      sim
        .close()
        .then(() => telemetry.shutdown())
        .then(
          () => resolve(code),
          (err: unknown) => {
            console.error(`exchange-sim: shutdown failed: ${String(err)}`);
            resolve(1);
          },
        );
    };
    if (requested) onStop(requested.signal, requested.code);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`exchange-sim: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
