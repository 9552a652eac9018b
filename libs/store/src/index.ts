export {
  StoreError,
  StoreErrorCode,
  TransactionError,
  VersionConflictError,
  MigrationError,
  isStoreError,
  sqlStateOf,
} from './errors.js';
export {
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactDatabaseUrl,
  withDatabaseName,
  maskDatabaseText,
  type DatabaseUrl,
  type SslMode,
} from './url.js';
export {
  ensureDatabase,
  quoteIdentifier,
  MAINTENANCE_DATABASE,
  type EnsureDatabaseOptions,
  type EnsureDatabaseOutcome,
} from './database.js';
export { createPool, DEFAULT_POOL_MAX, type PoolOptions } from './pool.js';
export { namespaceSchema, ensureSchema } from './schema.js';
export {
  withTransaction,
  withSerializableRetry,
  isRetryableTransactionError,
  type IsolationLevel,
  type TransactionOptions,
  type RetryOptions,
} from './transaction.js';
export {
  migrate,
  planMigrations,
  loadMigrations,
  validateMigrations,
  migrationChecksum,
  migrationFileName,
  MIGRATION_LOCK_KEY,
  MIGRATIONS_TABLE,
} from './migrations.js';
export type {
  Queryable,
  StoreLogger,
  Migration,
  AppliedMigration,
  MigrationSource,
  MigrateOptions,
  MigrationPlan,
  MigrateResult,
} from './types.js';
