// Process entry of the exchange sim (`pnpm bourse sim ...`). Prints its base URLs once it answers,
// and on SIGTERM / SIGINT stops, saving state when a state file is configured.

import { watchParent } from '@bourse/telemetry';
import { ConfigError, loadConfig, USAGE } from './config.js';
import { startExchangeSim } from './server.js';

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
  const sim = await startExchangeSim({ ...config.options, log });
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
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down${config.options.stateFile ? ' (saving state)' : ''}`);
      sim.close().then(
        () => resolve(0),
        (err: unknown) => {
          console.error(`exchange-sim: shutdown failed: ${String(err)}`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`exchange-sim: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
