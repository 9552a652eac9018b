// How to start each server, shown where doctor or start find one missing. Pure, so the wording
// is tested and kept the same in both commands.
import type { ServerKind } from './url.js';

export const SERVER_NAMES: Readonly<Record<ServerKind, string>> = {
  nats: 'NATS',
  postgres: 'PostgreSQL',
  redis: 'Redis',
};

export const COMPOSE_SERVICES: Readonly<Record<ServerKind, string>> = {
  nats: 'nats',
  postgres: 'postgres',
  redis: 'redis',
};

export function startCommandFor(kind: ServerKind, port: number): string {
  switch (kind) {
    case 'nats':
      return `nats-server -js -a 127.0.0.1 -p ${port}`;
    case 'postgres':
      return port === 5432
        ? 'pg_ctlcluster <version> main start'
        : `pg_ctlcluster <version> main start (with port = ${port} in postgresql.conf)`;
    case 'redis':
      return `redis-server --port ${port}`;
  }
}

/** One sentence: the local command, the Docker alternative, and that `pnpm start` does it for you. */
export function startHint(kind: ServerKind, port: number): string {
  return `start it with: ${startCommandFor(kind, port)} (or: docker compose up -d ${COMPOSE_SERVICES[kind]}; \`pnpm start\` starts it when it can)`;
}

export function installHint(kind: ServerKind): string {
  switch (kind) {
    case 'nats':
      return 'install nats-server (https://docs.nats.io/running-a-nats-service/introduction/installation, or `apt-get install nats-server`)';
    case 'postgres':
      return 'install PostgreSQL 16 (`apt-get install postgresql`, or https://www.postgresql.org/download/)';
    case 'redis':
      return 'install Redis 7 (`apt-get install redis-server`, or https://redis.io/docs/latest/operate/oss_and_stack/install/)';
  }
}
