// `bourse start` (`pnpm start`): makes sure NATS (with JetStream), PostgreSQL and Redis answer,
// starting those that do not where it can; creates the database and migrates the order manager's
// schema; settles the sim key pair; then runs the platform services that exist, until a signal
// (clean stop, exit 0) or a child that keeps dying (everything stopped, exit 1); a child that dies
// now and then is restarted with backoff. Whatever it started, it stops on the way out, in reverse
// start order: strategies first, the venue and then the servers last.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { migrateOrderManagerStore } from '@bourse/ledger';
import {
  databaseNameOf,
  DEFAULT_RESTART_POLICY,
  describeExit,
  ensureServers,
  maskSecrets,
  natsEnvOf,
  passwordsOf,
  Supervisor,
  type ChildExit,
  type RestartPolicy,
  type ServersStartedHere,
} from '@bourse/servers';
import { createPool, ensureDatabase, ensureSchema, namespaceSchema } from '@bourse/store';
import { childEnv, type CliConfig } from '../config.js';
import { ChildFailedError, ConfigError } from '../errors.js';
import { tsxCommand } from '../paths.js';
import { checkHandedFiles } from '../platform/handed-files.js';
import type { LoadedPlatformConfig } from '../platform/load-platform-config.js';
import type { OpsService } from '../platform/platform-config.js';
import { launchPlan, type LaunchPlan } from '../platform/service-env.js';
import { waitForReadyz } from './readiness.js';
import { resolveServices } from './services.js';
import { ensureSimCredentials, SIM_CREDENTIALS_FILE, SIM_READONLY_CREDENTIALS_FILE } from './sim-credentials.js';
import { simKeyEnv, simKeyGrant } from './sim-keys.js';

export interface StartOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly uid: number;
  readonly checkTimeoutMs: number;
  /** Bound on a started server becoming ready (its ready line, then a passing check). */
  readonly readyTimeoutMs: number;
  /** Bound on each child stopping before it is killed. */
  readonly stopTimeoutMs: number;
  readonly write: (line: string) => void;
  /** Aborted by SIGINT/SIGTERM: stop everything and return 0. */
  readonly stop: AbortSignal;
  /**
   * The platform config: the sim's arguments, each service's environment and the files they read
   * come from it. Without it every service gets the CLI's environment and the sim its defaults.
   */
  readonly platform?: LoadedPlatformConfig;
  /** When a child that died is restarted and when the launcher gives up; DEFAULT_RESTART_POLICY when absent. */
  readonly restart?: RestartPolicy;
  /** `--allow-changed`: the strategy runner runs strategies whose code changed under an unchanged version. */
  readonly allowChangedCode?: boolean;
}

/** Runs the platform; resolves with the process exit code once everything it started has stopped. */
export async function runStart(config: CliConfig, options: StartOptions): Promise<number> {
  // Before anything starts: a file a service would refuse stops the launch here (ConfigError).
  if (options.platform !== undefined) checkHandedFiles(options.platform.config, options.root);
  const secrets = passwordsOf([config.natsUrl, config.databaseUrl, config.redisUrl]);
  const say = (line: string) => options.write(maskSecrets(line, secrets));
  const bourse = (text: string) => say(`[bourse] ${text}`);

  let failed: ChildExit | undefined;
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const childExited = new AbortController();
  const onUnexpectedExit = (exit: ChildExit) => {
    failed ??= exit;
    childExited.abort();
    wake();
  };
  options.stop.addEventListener('abort', () => wake(), { once: true });

  const supervision = {
    write: say,
    stopTimeoutMs: options.stopTimeoutMs,
    onUnexpectedExit,
    restart: options.restart ?? DEFAULT_RESTART_POLICY,
  };
  const servers = new Supervisor(supervision);
  const services = new Supervisor(supervision);
  const dockerStops: Array<() => Promise<void>> = [];

  const shutdown = async () => {
    await services.stopAll();
    await servers.stopAll();
    for (const stop of dockerStops.reverse()) await stop();
  };

  try {
    const started: ServersStartedHere = {};
    const ready = await ensureServers(
      {
        urls: { nats: config.natsUrl, postgres: config.databaseUrl, redis: config.redisUrl },
        searchPath: config.searchPath,
      },
      { ...options, write: say, namespace: options.platform?.config.namespace ?? '' },
      servers,
      dockerStops,
      started,
    );
    if (!ready) return options.stop.aborted ? 0 : 1;
    if (options.stop.aborted) return 0;

    const outcome = await ensureDatabase(config.databaseUrl, { connectTimeoutMs: options.checkTimeoutMs });
    const database = databaseNameOf(config.databaseUrl);
    bourse(outcome === 'created' ? `created database "${database}"` : `database "${database}" exists`);
    // The order manager owns the schema; it is migrated here, before any service starts, so the
    // services that read its tables at start (the risk gate) never race it. A namespace has its own
    // schema, made here too.
    const schema = namespaceSchema(options.platform?.config.namespace ?? '');
    const pool = createPool(config.databaseUrl, { max: 1, schema });
    try {
      if (schema !== undefined) {
        await ensureSchema(pool, schema);
        bourse(`namespace schema "${schema}"`);
      }
      const { applied, alreadyApplied } = await migrateOrderManagerStore(pool);
      bourse(
        applied.length > 0
          ? `migrated the order manager schema: ${applied.map((m) => `${m.version} ${m.name}`).join(', ')}`
          : `order manager schema is current (${alreadyApplied.length} migration(s) applied)`,
      );
    } finally {
      await pool.end();
    }

    const sim = ensureSimCredentials(options.stateDir, {
      apiKey: config.simApiKey,
      apiSecret: config.simApiSecret,
    });
    const simReadOnly = ensureSimCredentials(
      options.stateDir,
      { apiKey: config.simReadOnlyApiKey, apiSecret: config.simReadOnlyApiSecret },
      'read-only',
    );
    if (sim.apiKey === simReadOnly.apiKey) {
      throw new ConfigError(
        'BOURSE_SIM_READONLY_API_KEY',
        '***',
        'the sim read-only key is the trading key; give the read-only pair a key of its own',
      );
    }
    const source = (pair: typeof sim, names: string, file: string): string =>
      pair.source === 'environment'
        ? `from ${names}`
        : `${pair.source === 'created' ? 'made a new pair in' : 'read from'} .bourse/${file}`;
    bourse(
      `sim API keys: trading ${source(sim, 'BOURSE_SIM_API_KEY / _SECRET', SIM_CREDENTIALS_FILE)}; ` +
        `read-only ${source(simReadOnly, 'BOURSE_SIM_READONLY_API_KEY / _SECRET', SIM_READONLY_CREDENTIALS_FILE)}`,
    );
    // Each service gets the least key it needs through its environment, the one place services read
    // keys from (sim-keys.ts): the trading pair only where orders are placed or canceled.
    const simKeys = { trading: sim, readOnly: simReadOnly };
    const reconcilerPolicy = options.platform?.config.reconciler.settings ?? {};
    const serviceEnv = childEnv({});

    let plan: LaunchPlan | undefined;
    if (options.platform !== undefined) {
      plan = launchPlan(options.platform.config, options.stateDir, {
        allowChangedCode: options.allowChangedCode ?? false,
      });
      const { file, overrides } = options.platform;
      bourse(
        `config: ${relative(options.root, file)}${overrides.length > 0 ? ` (overridden by ${overrides.join(', ')})` : ''}; venue ${options.platform.config.venue.target}`,
      );
      for (const generated of plan.files) {
        mkdirSync(dirname(generated.path), { recursive: true });
        writeFileSync(generated.path, generated.content);
        bourse(`wrote ${relative(options.root, generated.path)}`);
      }
    }

    const resolved = resolveServices(options.root);
    // Against a real venue (testnet, mainnet) there is no simulator to run.
    const skipSim = plan !== undefined && plan.simArgs === undefined;
    const built = resolved.built.filter((s) => !(skipSim && s.name === 'exchange-sim'));
    const { notBuilt } = resolved;
    if (notBuilt.length > 0) {
      bourse(`not built yet: ${notBuilt.map((s) => `${s.name} (${s.description})`).join(', ')}`);
    }
    for (const service of built) {
      if (options.stop.aborted || failed !== undefined) break;
      const args0 = service.name === 'exchange-sim' ? (plan?.simArgs ?? []) : [];
      const { command, args } = tsxCommand(service.path, args0);
      const ownEnv = plan?.serviceEnv[service.name as OpsService];
      const opsUrl = plan?.opsUrls[service.name as OpsService];
      // A service with a readiness endpoint gets one line, once ready; the others one as they start.
      if (opsUrl === undefined) bourse(`starting ${service.name} (${service.entry})`);
      await services.start({
        name: service.name,
        command,
        args,
        cwd: options.root,
        env: {
          ...(ownEnv === undefined ? serviceEnv : { ...serviceEnv, ...ownEnv }),
          ...simKeyEnv(simKeyGrant(service.name, reconcilerPolicy), simKeys),
          // On the nats-server bourse started, each service connects as its own user.
          ...(started.natsPasswords !== undefined ? natsEnvOf(service.name, started.natsPasswords) : {}),
        },
        ...(service.ready !== undefined
          ? { ready: { pattern: service.ready, timeoutMs: options.readyTimeoutMs } }
          : {}),
      });
      if (opsUrl !== undefined) {
        const outcome = await waitForReadyz({
          opsUrl,
          timeoutMs: options.readyTimeoutMs,
          signal: AbortSignal.any([options.stop, childExited.signal]),
        });
        if (outcome.ready) bourse(`${service.name} is ready (${outcome.afterMs} ms)`);
        else if (outcome.reason === 'timeout') {
          throw new ChildFailedError(
            service.name,
            `${service.name} did not become ready within ${options.readyTimeoutMs} ms (${opsUrl}/readyz: ${outcome.lastAnswer})`,
          );
        }
      }
    }
    if (built.length === 0) {
      bourse('no platform service is built yet; the servers stay up until Ctrl-C');
    } else if (failed === undefined && !options.stop.aborted) {
      bourse(`running: ${built.map((s) => s.name).join(', ')}; Ctrl-C stops them`);
      if (plan !== undefined)
        for (const line of whereToLook(
          plan,
          built.map((s) => s.name),
        ))
          bourse(line);
    }

    if (failed === undefined && !options.stop.aborted) await woken;
    if (failed !== undefined) {
      bourse(`${failed.name} keeps dying (last: ${describeExit(failed)}); stopping everything`);
      return 1;
    }
    bourse('stopping');
    return 0;
  } catch (err) {
    bourse(`start failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await shutdown();
    bourse('everything bourse started has stopped');
  }
}

/** What `bourse start` prints once everything runs: the operator command and each ops endpoint. */
export function whereToLook(plan: LaunchPlan, running: readonly string[]): string[] {
  const lines = [
    'where to look:',
    '  pnpm bourse status --watch    health, trading state, positions, P&L, open orders',
  ];
  if (plan.simArgs !== undefined && running.includes('exchange-sim'))
    lines.push(`  ${plan.endpoints.restUrl}    the exchange simulator`);
  for (const [service, url] of Object.entries(plan.opsUrls)) {
    if (running.includes(service)) lines.push(`  ${url}/metrics    ${service} (also /healthz, /readyz)`);
  }
  return lines;
}
