// Starting a server that does not answer: from its binary on this machine when there is one,
// otherwise with docker compose where a Docker engine answers. Binary servers run as supervised
// children under a watchdog (prefixed logs, stopped when `bourse start` exits or vanishes); their
// data lives under .bourse/.
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { installHint, SERVER_NAMES, startCommandFor } from './hints.js';
import { endpointOf, userNameOf, type ServerKind } from './url.js';
import { blockedAncestor, findOnPath, findOsUser, findPostgres, type OsUser } from './binaries.js';
import { composeStop, composeUp, type DockerStatus } from './docker.js';
import { runCommand } from './run-command.js';
import type { Supervisor } from './supervisor.js';
import type { ChildSpec } from './types.js';
import { underWatchdog } from './watchdog.js';
import { BUS_ROLES, passwordVariable } from '@bourse/bus';
import { ensureNatsUsers, writeNatsAuthConfig, type NatsPasswords } from './nats-users.js';

export interface LaunchContext {
  readonly root: string;
  readonly stateDir: string;
  readonly searchPath: string;
  readonly supervisor: Supervisor;
  readonly write: (line: string) => void;
  /** Effective uid of this process; PostgreSQL must not run as 0. */
  readonly uid: number;
  /** Asked at most once, and only when no binary can be used. */
  readonly docker: () => Promise<DockerStatus>;
  /** Bound on a server printing its ready line. */
  readonly readyTimeoutMs: number;
  /** Subject namespace the started nats-server's permissions are rendered for (empty in production). */
  readonly namespace?: string;
  /**
   * False: a started nats-server lets anyone in, for a caller whose clients carry no credentials (the
   * test suite's global setup). On by default, as `bourse start` runs it.
   */
  readonly natsPermissions?: boolean;
}

export type LaunchResult =
  | {
      readonly launched: true;
      readonly how: string;
      readonly stop?: () => Promise<void>;
      /** Set when bourse started nats-server itself, with permissions on: each user's password. */
      readonly natsPasswords?: NatsPasswords;
    }
  | { readonly launched: false; readonly reasons: readonly string[] };

/** The address a started server binds: the URL's loopback host (localhost means 127.0.0.1). */
export function bindHost(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

export function natsSpec(
  binary: string,
  host: string,
  port: number,
  dataDir: string,
  readyTimeoutMs: number,
  /** A config file with the authorization block (users and permissions). */
  configFile?: string,
): ChildSpec {
  return {
    name: 'nats',
    command: binary,
    args: [
      ...(configFile !== undefined ? ['-c', configFile] : []),
      '-js',
      '-a',
      bindHost(host),
      '-p',
      String(port),
      '-sd',
      dataDir,
    ],
    // nats-server shuts down the same way on SIGINT and SIGTERM but exits 0 only on SIGINT.
    stopSignal: 'SIGINT',
    ready: { pattern: /Server is ready/, timeoutMs: readyTimeoutMs },
  };
}

export function redisSpec(
  binary: string,
  host: string,
  port: number,
  dataDir: string,
  readyTimeoutMs: number,
): ChildSpec {
  return {
    name: 'redis',
    command: binary,
    // No snapshots: Redis holds market snapshots that are rebuilt from the feeds.
    args: [
      '--port',
      String(port),
      '--bind',
      bindHost(host),
      '--dir',
      dataDir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    ready: { pattern: /Ready to accept connections/, timeoutMs: readyTimeoutMs },
  };
}

export function postgresSpec(
  binary: string,
  host: string,
  port: number,
  dataDir: string,
  user: OsUser | undefined,
  readyTimeoutMs: number,
): ChildSpec {
  return {
    name: 'postgres',
    command: binary,
    // -k '': no Unix socket, so nothing is written outside the data directory.
    args: ['-D', dataDir, '-p', String(port), '-h', bindHost(host), '-k', ''],
    ...(user !== undefined ? { uid: user.uid, gid: user.gid } : {}),
    // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to leave.
    stopSignal: 'SIGINT',
    ready: { pattern: /database system is ready to accept connections/, timeoutMs: readyTimeoutMs },
  };
}

/** Starts the server for `url`, or explains why it cannot (each reason one short sentence). */
export async function launchServer(kind: ServerKind, url: string, ctx: LaunchContext): Promise<LaunchResult> {
  const { host, port } = endpointOf(url);
  const reasons: string[] = [];
  const local = await launchLocal(kind, url, host, port, ctx);
  if (local.launched) return local;
  reasons.push(...local.reasons);

  const docker = await ctx.docker();
  if (docker.usable) {
    // The compose NATS runs deploy/nats/secured.conf: the production namespace's per-service users,
    // each password from BOURSE_NATS_PASSWORD_<ROLE>. Given the passwords `bourse start` keeps (the
    // same ones a nats-server it runs itself gets), so each service can connect as its own user.
    let natsPasswords: NatsPasswords | undefined;
    if (kind === 'nats') {
      if (ctx.natsPermissions === false || (ctx.namespace ?? '') !== '') {
        reasons.push(
          'Docker: the compose NATS runs with per-service users of the production namespace (deploy/nats/secured.conf), which this caller does not use',
        );
        return { launched: false, reasons };
      }
      natsPasswords = ensureNatsUsers(ctx.stateDir);
    }
    const passwords = natsPasswords;
    const target = {
      docker: docker.docker,
      root: ctx.root,
      kind,
      port,
      write: ctx.write,
      ...(passwords !== undefined
        ? { env: Object.fromEntries(BUS_ROLES.map((r) => [passwordVariable(r), passwords[r]])) }
        : {}),
    };
    ctx.write(`[bourse] starting ${SERVER_NAMES[kind]} with docker compose on port ${port}`);
    const failure = await composeUp(target);
    if (failure === undefined) {
      return {
        launched: true,
        how: passwords !== undefined ? 'docker compose, with per-service users' : 'docker compose',
        stop: () => composeStop(target),
        ...(passwords !== undefined ? { natsPasswords: passwords } : {}),
      };
    }
    reasons.push(failure);
  } else {
    reasons.push(`Docker: ${docker.reason}`);
  }
  return { launched: false, reasons };
}

async function launchLocal(
  kind: ServerKind,
  url: string,
  host: string,
  port: number,
  ctx: LaunchContext,
): Promise<LaunchResult> {
  const dataDir = join(ctx.stateDir, kind === 'nats' ? 'nats' : kind === 'redis' ? 'redis' : 'postgres');
  switch (kind) {
    case 'nats': {
      const binary = findOnPath('nats-server', ctx.searchPath);
      if (binary === undefined) return { launched: false, reasons: [`no nats-server on PATH; ${installHint('nats')}`] };
      mkdirSync(dataDir, { recursive: true });
      if (ctx.natsPermissions === false) {
        await ctx.supervisor.start(underWatchdog(natsSpec(binary, host, port, dataDir, ctx.readyTimeoutMs)));
        return { launched: true, how: binary };
      }
      // Permissions on: each service connects as its own user (see nats-users.ts).
      const natsPasswords = ensureNatsUsers(ctx.stateDir);
      const auth = writeNatsAuthConfig(ctx.stateDir, ctx.namespace ?? '', natsPasswords);
      await ctx.supervisor.start(underWatchdog(natsSpec(binary, host, port, dataDir, ctx.readyTimeoutMs, auth)));
      return { launched: true, how: `${binary}, with per-service users`, natsPasswords };
    }
    case 'redis': {
      const binary = findOnPath('redis-server', ctx.searchPath);
      if (binary === undefined)
        return { launched: false, reasons: [`no redis-server on PATH; ${installHint('redis')}`] };
      mkdirSync(dataDir, { recursive: true });
      await ctx.supervisor.start(underWatchdog(redisSpec(binary, host, port, dataDir, ctx.readyTimeoutMs)));
      return { launched: true, how: binary };
    }
    case 'postgres':
      return launchPostgres(url, host, port, dataDir, ctx);
  }
}

async function launchPostgres(
  url: string,
  host: string,
  port: number,
  dataDir: string,
  ctx: LaunchContext,
): Promise<LaunchResult> {
  const binaries = findPostgres(ctx.searchPath);
  if (binaries === undefined) {
    return {
      launched: false,
      reasons: [`no initdb/postgres on PATH or under /usr/lib/postgresql/*/bin; ${installHint('postgres')}`],
    };
  }
  let user: OsUser | undefined;
  if (ctx.uid === 0) {
    // PostgreSQL refuses to run as root; the distribution's `postgres` user is the usual owner.
    user = findOsUser('postgres');
    const instead = `start PostgreSQL yourself: ${startCommandFor('postgres', port)}, or docker compose up -d postgres`;
    if (user === undefined) {
      return {
        launched: false,
        reasons: [
          `running as root and there is no "postgres" OS user to run PostgreSQL as (create one: useradd --system postgres), or ${instead}`,
        ],
      };
    }
    const blocked = blockedAncestor(dataDir, user);
    if (blocked !== undefined) {
      return {
        launched: false,
        reasons: [`running as root, and the postgres user cannot reach ${blocked} to use ${dataDir}; ${instead}`],
      };
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user !== undefined) chownSync(dataDir, user.uid, user.gid);
  chmodSync(dataDir, 0o700);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    ctx.write(`[bourse] creating a PostgreSQL cluster in ${dataDir} (trust authentication, loopback only)`);
    const init = await runCommand(
      binaries.initdb,
      ['-D', dataDir, '-U', userNameOf(url), '--auth=trust', '--encoding=UTF8', '--locale=C'],
      { name: 'initdb', write: ctx.write, timeoutMs: 120_000, ...(user ? { uid: user.uid, gid: user.gid } : {}) },
    );
    if (init.code !== 0) {
      return {
        launched: false,
        reasons: [`initdb failed (${init.error ?? `exit code ${init.code ?? 'none'}`}); see the [initdb] lines above`],
      };
    }
  }
  await ctx.supervisor.start(
    underWatchdog(postgresSpec(binaries.postgres, host, port, dataDir, user, ctx.readyTimeoutMs)),
  );
  return { launched: true, how: binaries.postgres };
}
