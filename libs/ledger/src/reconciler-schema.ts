// Where the reconciler's migrations live and how they are applied. The reconciler shares the
// order manager's database, so it keeps its own migrations table and advisory lock key: neither
// service sees the other's versions as unknown, nor waits on the other's migrations. They sit with
// the order manager's in this library so `bourse migrate` applies both without importing a
// service; only the reconciler writes these tables.

import { fileURLToPath } from 'node:url';
import { migrate, type MigrateResult, type StoreLogger } from '@bourse/store';
import type pg from 'pg';

/** libs/ledger/reconciler-migrations, wherever the checkout is. */
export const RECONCILER_MIGRATIONS = fileURLToPath(new URL('../reconciler-migrations', import.meta.url));

/** The table recording which reconciler migrations are applied. */
export const RECONCILER_MIGRATIONS_TABLE = 'reconciler_schema_migrations';

/** Advisory lock key of the reconciler's migrations ("rcn1" in ASCII). */
export const RECONCILER_LOCK_KEY = 0x72636e31;

/** Applies the reconciler's pending migrations; `bourse migrate` and the service's start call it. */
export function migrateReconcilerStore(pool: pg.Pool, logger?: StoreLogger): Promise<MigrateResult> {
  return migrate(pool, {
    directory: RECONCILER_MIGRATIONS,
    table: RECONCILER_MIGRATIONS_TABLE,
    lockKey: RECONCILER_LOCK_KEY,
    ...(logger === undefined ? {} : { logger }),
  });
}
