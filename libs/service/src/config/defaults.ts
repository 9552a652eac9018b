// Where the platform's servers are when nothing says otherwise: the local NATS, PostgreSQL and
// Redis that `bourse start` and the test setup use. Every service and the CLI default to these.
// NATS's and PostgreSQL's are the bus's and the store's own defaults, so there is one of each.

import { DEFAULT_SERVERS } from '@bourse/bus';
import { DEFAULT_DATABASE_URL } from '@bourse/store';

export { DEFAULT_DATABASE_URL };
export const DEFAULT_NATS_URL = DEFAULT_SERVERS;
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Ops servers listen on loopback unless told otherwise; a pod sets 0.0.0.0 so Prometheus can scrape. */
export const DEFAULT_OPS_HOST = '127.0.0.1';

/** The URL schemes each server accepts (`new URL(...).protocol` spelling). */
export const NATS_URL_SCHEMES = ['nats:', 'tls:', 'ws:', 'wss:'] as const;
export const POSTGRES_URL_SCHEMES = ['postgres:', 'postgresql:'] as const;
export const REDIS_URL_SCHEMES = ['redis:', 'rediss:'] as const;
