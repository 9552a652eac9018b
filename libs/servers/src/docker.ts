// The Docker fallback: `docker compose up -d <service>` with the repository's docker-compose.yml,
// used only where a Docker engine answers. Ports follow the configured URLs.
import { join } from 'node:path';
import { COMPOSE_SERVICES } from './hints.js';
import type { ServerKind } from './url.js';
import { findOnPath } from './binaries.js';
import { runCommand } from './run-command.js';

export type DockerStatus =
  { readonly usable: true; readonly docker: string } | { readonly usable: false; readonly reason: string };

const PORT_VARIABLES: Readonly<Record<ServerKind, string>> = {
  nats: 'BOURSE_NATS_PORT',
  postgres: 'BOURSE_POSTGRES_PORT',
  redis: 'BOURSE_REDIS_PORT',
};

/** Whether `docker compose` can be used: a docker client, an engine that answers `docker info`, and compose. */
export async function dockerStatus(searchPath: string): Promise<DockerStatus> {
  const docker = findOnPath('docker', searchPath);
  if (docker === undefined) return { usable: false, reason: 'no docker client on PATH' };
  const quiet = { name: 'docker', write: () => undefined, echo: false, timeoutMs: 10_000 };
  const info = await runCommand(docker, ['info', '--format', '{{.ServerVersion}}'], quiet);
  if (info.code !== 0)
    return { usable: false, reason: 'a docker client is installed but no Docker engine answers (`docker info` fails)' };
  const compose = await runCommand(docker, ['compose', 'version'], quiet);
  if (compose.code !== 0)
    return { usable: false, reason: 'the Docker engine answers but the compose plugin is missing' };
  return { usable: true, docker };
}

export interface ComposeTarget {
  readonly docker: string;
  readonly root: string;
  readonly kind: ServerKind;
  readonly port: number;
  readonly write: (line: string) => void;
  /** More variables for compose (the compose NATS's per-service passwords); they win over `.env`. */
  readonly env?: Readonly<Record<string, string>>;
}

function composeArgs(target: ComposeTarget, ...rest: string[]): string[] {
  return ['compose', '-f', join(target.root, 'docker-compose.yml'), ...rest, COMPOSE_SERVICES[target.kind]];
}

/** Runs `docker compose up -d <service>`; resolves with an error text when it fails. */
export async function composeUp(target: ComposeTarget): Promise<string | undefined> {
  const env = { ...process.env, ...target.env, [PORT_VARIABLES[target.kind]]: String(target.port) };
  // Pulling an image on first use can take minutes.
  const result = await runCommand(target.docker, composeArgs(target, 'up', '-d'), {
    name: 'docker',
    write: target.write,
    env,
    timeoutMs: 600_000,
  });
  if (result.code === 0) return undefined;
  return (
    result.error ?? `docker compose up -d ${COMPOSE_SERVICES[target.kind]} failed (exit code ${result.code ?? 'none'})`
  );
}

/** `docker compose stop <service>`: stops the container and keeps its volume. */
export async function composeStop(target: ComposeTarget): Promise<void> {
  const env = { ...process.env, [PORT_VARIABLES[target.kind]]: String(target.port) };
  const result = await runCommand(target.docker, composeArgs(target, 'stop'), {
    name: 'docker',
    write: target.write,
    env,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) {
    target.write(
      `[bourse] docker compose stop ${COMPOSE_SERVICES[target.kind]} failed; stop it with: docker compose stop ${COMPOSE_SERVICES[target.kind]}`,
    );
  }
}
