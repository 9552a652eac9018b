// The service's PostgreSQL pool. A namespace keeps its tables in a schema of its own; a service
// that owns tables (and runs their migrations) creates the database and that schema first, one that
// only reads another service's tables does not.

import { createPool, ensureDatabase, ensureSchema, namespaceSchema } from '@bourse/store';
import type { ServiceBase } from './service-base.js';

export type ServicePool = ReturnType<typeof createPool>;

export interface ServicePoolOptions {
  readonly databaseUrl: string;
  /** Subject namespace; empty: the `public` schema. */
  readonly namespace: string;
  /** Most connections open at once. */
  readonly max: number;
  /** Create the database and the namespace's schema when missing (services that own tables). */
  readonly create: boolean;
}

export async function openServicePool(base: ServiceBase, options: ServicePoolOptions): Promise<ServicePool> {
  const { logger, service } = base;
  if (options.create) await ensureDatabase(options.databaseUrl, { logger });
  const schema = namespaceSchema(options.namespace);
  const pool = createPool(options.databaseUrl, { logger, applicationName: service, max: options.max, schema });
  if (options.create && schema !== undefined) await ensureSchema(pool, schema);
  return pool;
}
