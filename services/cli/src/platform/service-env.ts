// Turns the platform configuration into what `bourse start` hands each child: the simulator's
// arguments, every service's environment (each service has its own variable names, so each gets its
// own overlay on top of the CLI's environment), and the files the services read (strategies, risk
// limits, reconciler settings) when the config holds them inline. Pure: writing the files and
// spawning are the caller's.
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { marketSnapshotPrefix, type PlatformConfig, type OpsService } from './platform-config.js';

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export interface VenueEndpoints {
  readonly restUrl: string;
  readonly wsStreamUrl: string;
  readonly wsApiUrl: string;
}

export interface LaunchPlan {
  /** Arguments of the exchange simulator; undefined when the target is not the sim. */
  readonly simArgs: readonly string[] | undefined;
  /** The extra environment of each platform service, on top of the CLI's own. */
  readonly serviceEnv: Readonly<Record<OpsService, Readonly<Record<string, string>>>>;
  readonly files: readonly GeneratedFile[];
  /** Where a person looks: each service's ops base URL. */
  readonly opsUrls: Readonly<Record<OpsService, string>>;
  readonly endpoints: VenueEndpoints;
}

/** The variables each service reads its ops server's port and bind address from (they differ per service). */
export const OPS_ENV: Readonly<Record<OpsService, { readonly port: string; readonly host: string }>> = {
  'order-manager': { port: 'OPS_PORT', host: 'OPS_HOST' },
  reconciler: { port: 'RECON_OPS_PORT', host: 'RECON_OPS_HOST' },
  'risk-gate': { port: 'RISK_GATE_OPS_PORT', host: 'RISK_GATE_OPS_HOST' },
  'market-data': { port: 'MD_OPS_PORT', host: 'MD_OPS_HOST' },
  'strategy-runner': { port: 'OPS_PORT', host: 'OPS_HOST' },
};

export const STRATEGIES_FILE_NAME = 'strategies.yaml';
export const RISK_LIMITS_FILE_NAME = 'risk-limits.yaml';
export const RECONCILER_FILE_NAME = 'reconciler.json';

/** Base URLs of the configured venue target. */
export function venueEndpoints(config: PlatformConfig): VenueEndpoints {
  const { target } = config.venue;
  if (target === 'sim') {
    const base = `${config.sim.host}:${config.sim.port}`;
    return { restUrl: `http://${base}`, wsStreamUrl: `ws://${base}`, wsApiUrl: `ws://${base}/ws-api/v3` };
  }
  // Binance's own constants unless the file overrides them.
  const defaults =
    target === 'testnet'
      ? {
          restUrl: 'https://testnet.binance.vision',
          wsStreamUrl: 'wss://stream.testnet.binance.vision',
          wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
        }
      : {
          restUrl: 'https://api.binance.com',
          wsStreamUrl: 'wss://stream.binance.com:9443',
          wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
        };
  return { ...defaults, ...config.venue[target] };
}

export function opsUrl(config: PlatformConfig, service: OpsService): string {
  const host = config.ops.host.includes(':') ? `[${config.ops.host}]` : config.ops.host;
  return `http://${host}:${config.ops.ports[service]}`;
}

/** The exchange simulator's command-line arguments for this config. */
export function simArguments(config: PlatformConfig, stateDir: string): string[] {
  const { sim } = config;
  const args = [
    '--host',
    sim.host,
    '--port',
    String(sim.port),
    '--seed',
    String(sim.seed),
    '--symbols',
    sim.symbols.join(','),
    '--balances',
    Object.entries(sim.balances)
      .map(([asset, amount]) => `${asset}=${amount}`)
      .join(','),
  ];
  args.push(...(sim.persist ? ['--state-file', join(stateDir, 'exchange-sim', 'state.json')] : ['--no-state']));
  if (!sim.activity.enabled) {
    args.push('--no-activity');
  } else {
    args.push(
      '--step-ms',
      String(sim.activity.stepMs),
      '--volatility',
      String(sim.activity.volatility),
      '--drift',
      String(sim.activity.drift),
    );
  }
  return args;
}

/** Whether the reconciler may write global ACTIVE after its first passing start run. */
export function activatesOnFirstPass(config: PlatformConfig): boolean {
  return config.reconciler.activateOnFirstPass ?? config.venue.target === 'sim';
}

/** The reconciler's settings, inventory defaulting to the sim's starting balances (paper trading). */
export function reconcilerSettings(config: PlatformConfig): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...config.reconciler.settings };
  const inventoryGiven =
    config.reconciler.settings !== undefined && Object.keys(config.reconciler.settings.inventory).length > 0;
  if (!inventoryGiven && config.venue.target === 'sim') settings['inventory'] = { ...config.sim.balances };
  return settings;
}

export interface LaunchOptions {
  /** `bourse start --allow-changed`: the runner runs strategies whose code changed under an unchanged version (development). */
  readonly allowChangedCode?: boolean;
}

export function launchPlan(config: PlatformConfig, stateDir: string, options: LaunchOptions = {}): LaunchPlan {
  const files: GeneratedFile[] = [];
  let strategiesFile = config.strategies.file;
  if (strategiesFile === undefined && config.strategies.list.length > 0) {
    strategiesFile = join(stateDir, STRATEGIES_FILE_NAME);
    files.push({ path: strategiesFile, content: generated(toYaml({ strategies: config.strategies.list })) });
  }
  let limitsFile = config.risk.limitsFile;
  if (limitsFile === undefined && config.risk.limits !== undefined) {
    limitsFile = join(stateDir, RISK_LIMITS_FILE_NAME);
    files.push({ path: limitsFile, content: generated(toYaml(config.risk.limits)) });
  }
  const reconcilerFile = join(stateDir, RECONCILER_FILE_NAME);
  files.push({ path: reconcilerFile, content: `${JSON.stringify(reconcilerSettings(config), null, 2)}\n` });

  const endpoints = venueEndpoints(config);
  const { target } = config.venue;
  const common: Record<string, string> = {
    NATS_URL: config.servers.nats,
    DATABASE_URL: config.servers.postgres,
    REDIS_URL: config.servers.redis,
    ...(config.namespace !== '' ? { BOURSE_NAMESPACE: config.namespace } : {}),
  };
  // One venue budget for every process that calls the venue (DESIGN: Redis holds shared order-rate limits).
  const { rateBudget } = config.venue;
  const budget: Record<string, string> = {
    BOURSE_RATE_BUDGET: rateBudget.shared ? 'redis' : 'memory',
    BOURSE_RATE_BUDGET_PREFIX: `${rateBudget.keyPrefix}${target}:`,
    BOURSE_VENUE_IP: rateBudget.ip,
    BOURSE_VENUE_ACCOUNT: rateBudget.account,
    BOURSE_RATE_FALLBACK_SHARE: String(rateBudget.fallbackShare),
    BOURSE_RATE_EDGE_MS: String(rateBudget.edgeMs),
  };
  // Each venue-facing service names the adapter's target and sim URLs with its own prefix.
  const venue = (prefix: string): Record<string, string> => ({
    [`${prefix}_VENUE_TARGET`]: target,
    ...(target === 'sim'
      ? {
          [`${prefix}_SIM_REST_URL`]: endpoints.restUrl,
          [`${prefix}_SIM_WS_STREAM_URL`]: endpoints.wsStreamUrl,
          [`${prefix}_SIM_WS_API_URL`]: endpoints.wsApiUrl,
        }
      : {}),
  });
  const ops = (service: OpsService): Record<string, string> => ({
    [OPS_ENV[service].port]: String(config.ops.ports[service]),
    [OPS_ENV[service].host]: config.ops.host,
  });
  const serviceEnv: Record<OpsService, Record<string, string>> = {
    'order-manager': {
      ...common,
      ...venue('OMS'),
      ...budget,
      ...ops('order-manager'),
      // The market fallback's guards read the far side of the gateway's book there.
      MD_REDIS_PREFIX: marketSnapshotPrefix(config),
    },
    reconciler: {
      ...common,
      ...venue('RECON'),
      ...budget,
      ...ops('reconciler'),
      RECON_INTERVAL_MS: String(config.reconciler.intervalMs),
      RECON_CONFIG_FILE: reconcilerFile,
      RECON_ACTIVATE_ON_FIRST_PASS: String(activatesOnFirstPass(config)),
      // The drift halt's kill-switch action lives with the other triggers' in the risk limits.
      ...(config.risk.limits?.global.killSwitch?.reconciliationDriftAction !== undefined
        ? { RECON_DRIFT_ACTION: config.risk.limits.global.killSwitch.reconciliationDriftAction }
        : {}),
    },
    'risk-gate': {
      ...common,
      RISK_GATE_VENUE: config.venue.id,
      ...ops('risk-gate'),
      ...(limitsFile !== undefined ? { RISK_LIMITS_FILE: limitsFile } : {}),
    },
    'market-data': {
      NATS_URL: common.NATS_URL as string,
      REDIS_URL: common.REDIS_URL as string,
      ...(config.namespace !== '' ? { BOURSE_NAMESPACE: config.namespace } : {}),
      MD_VENUE_TARGET: target,
      ...(target === 'sim'
        ? {
            MD_SIM_REST_URL: endpoints.restUrl,
            MD_SIM_WS_STREAM_URL: endpoints.wsStreamUrl,
            MD_SIM_WS_API_URL: endpoints.wsApiUrl,
          }
        : {}),
      ...budget,
      MD_INSTRUMENTS: config.marketData.instruments.join(','),
      MD_SNAPSHOT_KEY_PREFIX: marketSnapshotPrefix(config),
      ...ops('market-data'),
    },
    'strategy-runner': {
      NATS_URL: common.NATS_URL as string,
      // Strategies' own states (the runner's strategy_state table).
      DATABASE_URL: common.DATABASE_URL as string,
      REDIS_URL: common.REDIS_URL as string,
      ...(config.namespace !== '' ? { BOURSE_NAMESPACE: config.namespace } : {}),
      ...(strategiesFile !== undefined ? { STRATEGIES_FILE: strategiesFile } : {}),
      ...(options.allowChangedCode === true ? { RUNNER_ALLOW_CHANGED_CODE: 'true' } : {}),
      MD_REDIS_PREFIX: marketSnapshotPrefix(config),
      // Instrument specs come from the venue's exchangeInfo over REST.
      RUNNER_VENUE_TARGET: target,
      ...(target === 'sim' ? { RUNNER_SIM_REST_URL: endpoints.restUrl } : {}),
      ...budget,
      ...ops('strategy-runner'),
    },
  };
  const opsUrls = Object.fromEntries(
    (Object.keys(serviceEnv) as OpsService[]).map((s) => [s, opsUrl(config, s)]),
  ) as Record<OpsService, string>;
  return {
    simArgs: target === 'sim' ? simArguments(config, stateDir) : undefined,
    serviceEnv,
    files,
    opsUrls,
    endpoints,
  };
}

function generated(yaml: string): string {
  return `# Written by \`bourse start\` from the platform config; edit that file, not this one.\n${yaml}`;
}
