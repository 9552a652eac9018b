import type { QueryResult, QueryResultRow } from 'pg';

/**
 * Anything that runs a parameterised query: a `pg.Pool`, a `pg.PoolClient` inside a transaction,
 * a `pg.Client`. Repositories take this, so callers decide whether calls share a transaction.
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The slice of a pino logger (`createLogger` from @bourse/telemetry) the store writes to. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** One numbered SQL migration. */
export interface Migration {
  /** Positive integer, unique; migrations apply in ascending order. */
  readonly version: number;
  /** Short name, e.g. `init`; the file is `0001_init.sql`. */
  readonly name: string;
  readonly sql: string;
}

/** A migration recorded in `schema_migrations`. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  /** sha256 (hex) of the SQL with line endings normalised to \n. */
  readonly checksum: string;
  readonly appliedAt: Date;
}

export interface MigrationSource {
  /** A folder of `NNNN_name.sql` files. Give this or `migrations`. */
  readonly directory?: string;
  /** Migrations given in code (tests, bundled builds). Give this or `directory`. */
  readonly migrations?: readonly Migration[];
  /**
   * Table recording what is applied; `schema_migrations` by default. Two owners of one database
   * (two services) each keep their own table, so neither sees the other's versions as unknown.
   */
  readonly table?: string;
}

export interface MigrateOptions extends MigrationSource {
  /**
   * Key of the session-level `pg_advisory_lock` that serialises concurrent migrators. Advisory locks
   * are per database, so one key per schema owner (service) is enough; defaults to MIGRATION_LOCK_KEY.
   */
  readonly lockKey?: number | bigint;
  readonly logger?: StoreLogger;
}

export interface MigrationPlan {
  /** What `schema_migrations` records, oldest first. */
  readonly applied: readonly AppliedMigration[];
  /** What `migrate` would apply now, in order. */
  readonly pending: readonly Migration[];
}

export interface MigrateResult {
  /** The migrations this call applied, in order (empty when the schema was current). */
  readonly applied: readonly AppliedMigration[];
  /** Versions that were already applied before this call. */
  readonly alreadyApplied: readonly number[];
}
