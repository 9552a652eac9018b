// Where the order manager's migrations live and how its service applies them at start.

import { fileURLToPath } from 'node:url';
import { migrate, type MigrateResult, type StoreLogger } from '@bourse/store';
import type pg from 'pg';

/** services/order-manager/migrations, wherever the checkout is. */
export const ORDER_MANAGER_MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Advisory lock key of the order manager's migrations ("oms1" in ASCII). Locks are per database; a
 * key of its own keeps the OMS from waiting on another service that migrates the same database.
 */
export const ORDER_MANAGER_LOCK_KEY = 0x6f6d7331;

/** Applies the order manager's pending migrations; call once at start, before reading state. */
export function migrateOrderManagerStore(pool: pg.Pool, logger?: StoreLogger): Promise<MigrateResult> {
  return migrate(pool, {
    directory: ORDER_MANAGER_MIGRATIONS,
    lockKey: ORDER_MANAGER_LOCK_KEY,
    ...(logger === undefined ? {} : { logger }),
  });
}
