// Making sure NATS (with JetStream), PostgreSQL and Redis answer, starting those on this machine
// that do not: from their binaries when installed (supervised children, data under `stateDir`),
// else with docker compose where a Docker engine answers. `bourse start` and the test suite's
// global setup both come through here, so a fresh machine behaves the same for either.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckOptions, CheckResult } from './check-types.js';
import { checkNats, checkPostgres, checkRedis } from './checks.js';
import { dockerStatus, type DockerStatus } from './docker.js';
import { COMPOSE_SERVICES, SERVER_NAMES, startCommandFor } from './hints.js';
import { launchServer, type LaunchContext } from './launch.js';
import type { NatsPasswords } from './nats-users.js';
import { Supervisor } from './supervisor.js';
import type { ChildExit } from './types.js';
import { endpointOf, isLoopbackHost, maskSecrets, passwordsOf, type ServerKind } from './url.js';

export const SERVER_KINDS: readonly ServerKind[] = ['nats', 'postgres', 'redis'];

const CHECKS: Readonly<Record<ServerKind, (url: string, o: CheckOptions) => Promise<CheckResult>>> = {
  nats: checkNats,
  postgres: checkPostgres,
  redis: checkRedis,
};

const STATUS_LABEL = { ok: 'OK', missing: 'MISSING', failed: 'FAILED' } as const;

/** One line per server: status, name, masked URL, then what was found or what to do. */
export function formatCheckLine(result: CheckResult): string {
  const label = STATUS_LABEL[result.status].padEnd(7);
  const name = result.server.padEnd(10);
  const parts = [result.detail, ...result.notes];
  if (result.hint !== undefined) parts.push(result.hint);
  return `${label} ${name} ${result.url}  ${parts.join('; ')}`;
}

export interface ServerTargets {
  readonly urls: Readonly<Record<ServerKind, string>>;
  /** PATH-style list where the server binaries are looked for. */
  readonly searchPath: string;
}

export interface EnsureServersOptions {
  /** The repository root (docker-compose.yml). */
  readonly root: string;
  /** Where started servers keep their data: <stateDir>/nats, /postgres, /redis. */
  readonly stateDir: string;
  /** Effective uid of this process; PostgreSQL must not run as 0. */
  readonly uid: number;
  readonly checkTimeoutMs: number;
  /** Bound on a started server becoming ready (its ready line, then a passing check). */
  readonly readyTimeoutMs: number;
  /** Aborted: give up (returns false). */
  readonly stop: AbortSignal;
  /** Receives every line, already prefixed. */
  readonly write: (line: string) => void;
  /** Subject namespace a started nats-server's permissions are rendered for (empty in production). */
  readonly namespace?: string;
  /** False: a nats-server started here runs without users (see LaunchContext). On by default. */
  readonly natsPermissions?: boolean;
}

/** What ensureServers learnt about the servers it started itself. */
export interface ServersStartedHere {
  /** Each NATS user's password, when the nats-server was started here with permissions. */
  natsPasswords?: NatsPasswords;
}

/**
 * Checks the three servers and starts each missing one on a loopback URL, binaries supervised by
 * `supervisor` and docker compose stops pushed on `dockerStops`. Resolves true when all three answer;
 * false after printing what could not be fixed (or when `stop` was aborted).
 */
export async function ensureServers(
  targets: ServerTargets,
  options: EnsureServersOptions,
  supervisor: Supervisor,
  dockerStops: Array<() => Promise<void>>,
  startedHere: ServersStartedHere = {},
): Promise<boolean> {
  const say = options.write;
  const bourse = (text: string) => say(`[bourse] ${text}`);
  const checkOptions = { timeoutMs: options.checkTimeoutMs };
  const results = await Promise.all(SERVER_KINDS.map((k) => CHECKS[k](targets.urls[k], checkOptions)));
  let docker: Promise<DockerStatus> | undefined;
  const ctx: LaunchContext = {
    root: options.root,
    stateDir: options.stateDir,
    searchPath: targets.searchPath,
    supervisor,
    write: say,
    uid: options.uid,
    docker: () => (docker ??= dockerStatus(targets.searchPath)),
    readyTimeoutMs: options.readyTimeoutMs,
    namespace: options.namespace ?? '',
    ...(options.natsPermissions !== undefined ? { natsPermissions: options.natsPermissions } : {}),
  };

  const problems: string[] = [];
  for (const [i, kind] of SERVER_KINDS.entries()) {
    const result = results[i] as CheckResult;
    const url = targets.urls[kind];
    const { host, port } = endpointOf(url);
    const name = SERVER_NAMES[kind];
    if (options.stop.aborted) return false;
    if (result.status === 'ok') {
      bourse(formatCheckLine(result));
      continue;
    }
    if (result.status === 'failed') {
      problems.push(formatCheckLine(result));
      continue;
    }
    if (!isLoopbackHost(host)) {
      problems.push(
        `${name} ${result.detail}; bourse start only starts servers on this machine (127.0.0.1, localhost)`,
      );
      continue;
    }
    bourse(`${name} does not answer at ${result.endpoint}; starting it`);
    const launch = await launchServer(kind, url, ctx);
    if (!launch.launched) {
      problems.push(
        `${name} does not answer at ${result.endpoint} and cannot be started here:\n    - ${launch.reasons.join('\n    - ')}\n    fix one of these, or start it yourself: ${startCommandFor(kind, port)} (or: docker compose up -d ${COMPOSE_SERVICES[kind]})`,
      );
      continue;
    }
    if (launch.stop !== undefined) dockerStops.push(launch.stop);
    if (launch.natsPasswords !== undefined) startedHere.natsPasswords = launch.natsPasswords;
    // A nats-server with users lets no anonymous check in; the operator user checks it.
    const launchedCheck =
      launch.natsPasswords !== undefined
        ? { ...checkOptions, natsCredentials: { user: 'operator', pass: launch.natsPasswords.operator } }
        : checkOptions;
    const after = await waitForCheck(() => CHECKS[kind](url, launchedCheck), options.readyTimeoutMs, options.stop);
    if (after.status !== 'ok') {
      problems.push(`${name} was started (${launch.how}) but: ${formatCheckLine(after)}`);
      continue;
    }
    bourse(`${formatCheckLine(after)} (started by bourse: ${launch.how})`);
  }
  for (const problem of problems) bourse(`cannot start: ${problem}`);
  return problems.length === 0;
}

/** Re-runs a check until it passes, the bound passes or a stop is asked for; returns the last result. */
async function waitForCheck(
  check: () => Promise<CheckResult>,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<CheckResult> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result.status === 'ok' || stop.aborted || performance.now() >= deadline) return result;
    await sleep(250, undefined, { signal: stop }).catch(() => undefined);
  }
}

export interface StartedServers {
  /** Names of the servers started here (binaries or docker compose); empty when all answered already. */
  readonly started: readonly string[];
  /** Stops what was started here, and nothing else. */
  stop(): Promise<void>;
}

export interface StartMissingOptions extends Omit<EnsureServersOptions, 'stop'> {
  /** Bound on each started server stopping before it is killed. */
  readonly stopTimeoutMs: number;
  /** Called once for a started server that exits on its own. */
  readonly onUnexpectedExit?: (exit: ChildExit) => void;
}

/**
 * `ensureServers` for a caller that owns nothing else (the test suite's global setup): resolves with
 * a handle that stops what it started, or throws with what could not be started (having stopped
 * anything it did start).
 */
export async function startMissingServers(
  targets: ServerTargets,
  options: StartMissingOptions,
): Promise<StartedServers> {
  const secrets = passwordsOf(Object.values(targets.urls));
  const lines: string[] = [];
  const write = (line: string) => {
    const masked = maskSecrets(line, secrets);
    lines.push(masked);
    options.write(masked);
  };
  const supervisor = new Supervisor({
    write,
    stopTimeoutMs: options.stopTimeoutMs,
    ...(options.onUnexpectedExit !== undefined ? { onUnexpectedExit: options.onUnexpectedExit } : {}),
  });
  const dockerStops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await supervisor.stopAll();
    for (const s of dockerStops.reverse()) await s();
  };
  let ready: boolean;
  try {
    ready = await ensureServers(
      targets,
      // The tests' clients carry no NATS credentials.
      { ...options, write, stop: new AbortController().signal, natsPermissions: false },
      supervisor,
      dockerStops,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const started = [...supervisor.running(), ...(dockerStops.length > 0 ? ['docker compose'] : [])];
  if (!ready) {
    await stop();
    throw new Error(
      `the servers the tests need do not answer and could not all be started:\n  ${lines.filter((l) => l.includes('cannot start')).join('\n  ')}`,
    );
  }
  return { started, stop };
}
