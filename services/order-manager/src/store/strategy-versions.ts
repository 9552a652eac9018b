// Which parameters each strategy version ran with, so any order can be traced to the exact
// parameters behind it. A version names one parameter set for good: recording it again with other
// parameters is refused, because orders already point at the first set.

import { StrategyId, StrategyVersion } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { z } from 'zod';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { checked, msOf, timeParam } from './values.js';

/** Parameters as a JSON object; decimals as strings (a JSON number read back is a float). */
const Params = z.record(z.string(), z.unknown());

export interface StrategyVersionRecord {
  readonly strategyId: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** When the OMS (or runner) first saw this version, epoch ms. */
  readonly firstSeenAt: number;
}

interface StrategyVersionRow {
  strategy_id: string;
  version: string;
  params: Record<string, unknown>;
  first_seen_at: Date;
}

/**
 * Records a strategy version; returns true when it is new, false when it was recorded before with the
 * same parameters (first_seen_at is kept). Throws STRATEGY_VERSION_CONFLICT for other parameters.
 */
export async function recordStrategyVersion(db: Queryable, record: StrategyVersionRecord): Promise<boolean> {
  const strategyId = checked('strategyId', StrategyId, record.strategyId);
  const version = checked('version', StrategyVersion, record.version);
  const params = JSON.stringify(checked('params', Params, record.params));
  const inserted = await db.query(
    `INSERT INTO strategy_versions (strategy_id, version, params, first_seen_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (strategy_id, version) DO NOTHING`,
    [strategyId, version, params, timeParam('firstSeenAt', record.firstSeenAt)],
  );
  if (inserted.rowCount === 1) return true;
  const same = await db.query<{ same: boolean }>(
    'SELECT params = $3::jsonb AS same FROM strategy_versions WHERE strategy_id = $1 AND version = $2',
    [strategyId, version, params],
  );
  if (same.rows[0]?.same === true) return false;
  throw new OrderStoreError(
    OrderStoreErrorCode.STRATEGY_VERSION_CONFLICT,
    `strategy ${strategyId} version ${version} was recorded with other parameters; give changed parameters a new version`,
    { strategyId, version },
  );
}

export async function loadStrategyVersion(
  db: Queryable,
  strategyId: string,
  version: string,
): Promise<StrategyVersionRecord | undefined> {
  const result = await db.query<StrategyVersionRow>(
    'SELECT strategy_id, version, params, first_seen_at FROM strategy_versions WHERE strategy_id = $1 AND version = $2',
    [strategyId, version],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : { strategyId: row.strategy_id, version: row.version, params: row.params, firstSeenAt: msOf(row.first_seen_at) };
}
