// Versions that cannot drift (issue 21 §2): at start, each strategy's code hash (the loader's, on its
// StrategyConfig) is compared with the one recorded for its id and version in PostgreSQL
// (`strategy_code`, the runner's migrations). First time: recorded. Same: runs. Another hash under the
// same version: refused with StrategyCodeChangedError (logged, counted; the other strategies run), unless
// changed code is allowed (development: RUNNER_ALLOW_CHANGED_CODE=true / --allow-changed), when it runs
// and its hash replaces the recorded one, with a warning.

import type { Queryable } from '@bourse/store';
import type { StrategyConfig } from '@bourse/strategy';
import type { Logger } from '@bourse/telemetry';
import { Counter, type Registry } from 'prom-client';
import { CodeStoreError, HASH_PREFIX_LENGTH, StrategyCodeChangedError } from '../errors.js';

export type CodeVerdict =
  | { readonly kind: 'recorded' }
  | { readonly kind: 'same' }
  | { readonly kind: 'allowed'; readonly replaced: string }
  | { readonly kind: 'refused'; readonly error: StrategyCodeChangedError }
  /** The strategy has no code hash (a definition handed in directly, not loaded by the loader). */
  | { readonly kind: 'unhashed' };

export interface CodeCheck {
  /** The strategies that may run: recorded, same, allowed or unhashed. */
  readonly admitted: StrategyConfig[];
  readonly verdicts: ReadonlyMap<string, CodeVerdict>;
}

export interface CodeCheckOptions {
  /** Run a strategy whose code changed under the same version, recording its new hash (development). */
  readonly allowChanged: boolean;
}

// One statement per outcome, each atomic: replicas starting together with the same new code both end
// in `recorded` / `same`; with different code, the second to insert sees the first's hash.
const INSERT = `
INSERT INTO strategy_code (strategy_id, strategy_version, code_hash) VALUES ($1, $2, $3)
ON CONFLICT (strategy_id, strategy_version) DO NOTHING
RETURNING code_hash`;
const SELECT = `SELECT code_hash FROM strategy_code WHERE strategy_id = $1 AND strategy_version = $2`;
const REPLACE = `
UPDATE strategy_code SET code_hash = $3, replaced_hash = code_hash, recorded_at = now()
 WHERE strategy_id = $1 AND strategy_version = $2 AND code_hash = $4`;

/** Compares each strategy's code hash with the recorded one; throws CodeStoreError when PostgreSQL fails. */
export async function checkStrategyCode(
  db: Queryable,
  strategies: readonly StrategyConfig[],
  options: CodeCheckOptions,
): Promise<CodeCheck> {
  const verdicts = new Map<string, CodeVerdict>();
  const admitted: StrategyConfig[] = [];
  for (const s of strategies) {
    const verdict = await verdictFor(db, s, options);
    verdicts.set(s.id, verdict);
    if (verdict.kind !== 'refused') admitted.push(s);
  }
  return { admitted, verdicts };
}

async function verdictFor(db: Queryable, s: StrategyConfig, options: CodeCheckOptions): Promise<CodeVerdict> {
  const hash = s.codeHash;
  if (hash === undefined) return { kind: 'unhashed' };
  try {
    const inserted = await db.query(INSERT, [s.id, s.version, hash]);
    if (inserted.rowCount === 1) return { kind: 'recorded' };
    const recorded = (await db.query<{ code_hash: string }>(SELECT, [s.id, s.version])).rows[0]?.code_hash;
    if (recorded === undefined || recorded === hash) return { kind: 'same' };
    if (!options.allowChanged) {
      return { kind: 'refused', error: new StrategyCodeChangedError(s.id, s.version, recorded, hash) };
    }
    await db.query(REPLACE, [s.id, s.version, hash, recorded]);
    return { kind: 'allowed', replaced: recorded };
  } catch (err) {
    throw new CodeStoreError(`recording the code hash of strategy ${s.id} failed`, s.id, { cause: err });
  }
}

/**
 * Logs and counts the verdicts: a refusal at error (its message names id, version and both hash
 * prefixes and says to bump the version), an allowed change at warn; both counted in
 * `bourse_strategy_code_changes_total{strategy, version, outcome}` (outcome `refused` or `allowed`).
 */
export function reportStrategyCode(
  check: CodeCheck,
  strategies: readonly StrategyConfig[],
  logger: Logger,
  registry: Registry,
): void {
  const name = 'bourse_strategy_code_changes_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'strategy' | 'version' | 'outcome'> | undefined) ??
    new Counter({
      name,
      help: 'Strategies started with code that differs from the hash recorded for their version: refused, or allowed (development)',
      labelNames: ['strategy', 'version', 'outcome'],
      registers: [registry],
    });
  for (const s of strategies) {
    const verdict = check.verdicts.get(s.id);
    const fields = { strategy: s.id, version: s.version, codeHash: s.codeHash };
    if (verdict?.kind === 'refused') {
      counter.inc({ strategy: s.id, version: s.version, outcome: 'refused' });
      logger.error(
        { ...fields, code: verdict.error.code, recordedHash: verdict.error.recordedHash },
        `strategy refused: ${verdict.error.message}`,
      );
    } else if (verdict?.kind === 'allowed') {
      counter.inc({ strategy: s.id, version: s.version, outcome: 'allowed' });
      logger.warn(
        { ...fields, replacedHash: verdict.replaced },
        `strategy ${s.id} version ${s.version} runs changed code (recorded ${verdict.replaced.slice(0, HASH_PREFIX_LENGTH)}, ` +
          `now ${(s.codeHash ?? '').slice(0, HASH_PREFIX_LENGTH)}) because changed code is allowed; its new hash is recorded`,
      );
    } else if (verdict?.kind === 'recorded') {
      logger.info(fields, `strategy ${s.id} version ${s.version}: code hash recorded`);
    }
  }
}
