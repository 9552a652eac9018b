// Where the order manager's schema (its migrations) lives and how it is applied. The order manager
// applies it at start; `bourse migrate` and `bourse start` apply it too, before any service runs, so
// the services that read these tables at start never race it. The migrations are the files that
// were in services/order-manager/migrations, unchanged: the checksums stored in existing databases
// still match, and the table (`schema_migrations`) and lock key are the same, so an existing database
// migrates exactly as before. A namespace's schema comes from the pool's search_path (@bourse/store).

import { fileURLToPath } from 'node:url';
import { migrate, type MigrateResult, type StoreLogger } from '@bourse/store';
import type pg from 'pg';

/** libs/ledger/migrations, wherever the checkout is. */
export const ORDER_MANAGER_MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Advisory lock key of the order manager's migrations ("oms1" in ASCII). Locks are per database; a
 * key of its own keeps the OMS from waiting on another service that migrates the same database.
 */
export const ORDER_MANAGER_LOCK_KEY = 0x6f6d7331;

/** Applies the order manager's pending migrations; call once at start, before reading or writing its tables. */
export function migrateOrderManagerStore(pool: pg.Pool, logger?: StoreLogger): Promise<MigrateResult> {
  return migrate(pool, {
    directory: ORDER_MANAGER_MIGRATIONS,
    lockKey: ORDER_MANAGER_LOCK_KEY,
    ...(logger === undefined ? {} : { logger }),
  });
}
