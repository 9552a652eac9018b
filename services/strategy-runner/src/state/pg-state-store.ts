// The strategy runner's StrategyStateStore in PostgreSQL: the runner owns the `strategy_state` table
// (its own migrations table and advisory lock, so it can share the order manager's database). Claims
// and writes are single statements, atomic per row; the rules are the port's (libs/strategy
// state-store.ts): a claim raises the generation, a write needs the caller's generation and a higher seq.

import { fileURLToPath } from 'node:url';
import { migrate, type MigrateResult, type Queryable, type StoreLogger } from '@bourse/store';
import type { SaveOutcome, StateClaim, StateKey, StoredState, StrategyStateStore } from '@bourse/strategy';
import type pg from 'pg';
import { StateStoreError } from '../errors.js';

/** services/strategy-runner/migrations, wherever the checkout is. */
export const RUNNER_MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
export const RUNNER_MIGRATIONS_TABLE = 'strategy_runner_schema_migrations';
/** Advisory lock key of the runner's migrations ("srn1" in ASCII). */
export const RUNNER_LOCK_KEY = 0x73726e31;

/** Applies the runner's pending migrations (at start; several replicas may start at once). */
export function migrateRunnerStore(pool: pg.Pool, logger?: StoreLogger): Promise<MigrateResult> {
  return migrate(pool, {
    directory: RUNNER_MIGRATIONS,
    table: RUNNER_MIGRATIONS_TABLE,
    lockKey: RUNNER_LOCK_KEY,
    ...(logger === undefined ? {} : { logger }),
  });
}

interface Row {
  generation: string;
  format: number | null;
  state: unknown;
  seq: string;
  strategy_version: string | null;
  saved_at: Date | null;
}

const CLAIM = `
INSERT INTO strategy_state (strategy_id, venue, symbol, generation, holder)
VALUES ($1, $2, $3, 1, $4)
ON CONFLICT (strategy_id, venue, symbol) DO UPDATE
  SET generation = strategy_state.generation + 1, holder = EXCLUDED.holder, claimed_at = now()
RETURNING generation, format, state, seq, strategy_version, saved_at`;

const SAVE = `
UPDATE strategy_state
   SET format = $5, state = $6::jsonb, seq = $7, strategy_version = $8, saved_at = to_timestamp($9::double precision / 1000)
 WHERE strategy_id = $1 AND venue = $2 AND symbol = $3 AND generation = $4 AND seq < $7`;

const GENERATION = `SELECT generation FROM strategy_state WHERE strategy_id = $1 AND venue = $2 AND symbol = $3`;

export class PgStateStore implements StrategyStateStore {
  constructor(private readonly db: Queryable) {}

  async claim(keys: readonly StateKey[], holder: string): Promise<StateClaim[]> {
    const claims: StateClaim[] = [];
    // One statement per key, each atomic; keys of one instrument are claimed in a fixed order.
    for (const key of keys) {
      const result = await this.run<Row>('claim', key, CLAIM, [key.strategyId, key.venue, key.symbol, holder]);
      const row = result.rows[0];
      if (row === undefined) throw new StateStoreError('claim returned no row', key);
      claims.push({ key, generation: Number(row.generation), stored: storedOf(row) });
    }
    return claims;
  }

  async save(key: StateKey, generation: number, record: StoredState): Promise<SaveOutcome> {
    const result = await this.run('save', key, SAVE, [
      key.strategyId,
      key.venue,
      key.symbol,
      generation,
      record.format,
      JSON.stringify(record.state),
      record.seq,
      record.strategyVersion,
      record.savedAt,
    ]);
    if (result.rowCount === 1) return 'saved';
    const current = await this.run<{ generation: string }>('save', key, GENERATION, [
      key.strategyId,
      key.venue,
      key.symbol,
    ]);
    const held = current.rows[0]?.generation;
    return held !== undefined && Number(held) === generation ? 'stale' : 'fenced';
  }

  private async run<R extends pg.QueryResultRow = pg.QueryResultRow>(
    op: 'claim' | 'save',
    key: StateKey,
    sql: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.db.query<R>(sql, values);
    } catch (err) {
      throw new StateStoreError(`strategy state ${op} failed`, key, { cause: err });
    }
  }
}

function storedOf(row: Row): StoredState | undefined {
  if (row.state === null && row.format === null) return undefined;
  return {
    // A row with a state but no format is not one this code wrote: parseStoredState refuses format 0.
    format: row.format ?? 0,
    state: row.state,
    seq: Number(row.seq),
    strategyVersion: row.strategy_version ?? '',
    savedAt: row.saved_at?.getTime() ?? 0,
  };
}
