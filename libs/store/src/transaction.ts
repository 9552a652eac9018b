// Transactions on a pooled connection. The callback gets the client, so every repository call it
// makes joins the same transaction (insertFill + savePosition commit together or not at all).

import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { StoreError, StoreErrorCode, TransactionError, describeCause, sqlStateOf } from './errors.js';
import { maskSecrets } from '@bourse/telemetry';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** PostgreSQL's default (read committed) when absent. */
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
}

/** serialization_failure and deadlock_detected: the transaction did nothing and may simply run again. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/** True when `err` (or an error in its cause chain) is a serialization failure or a deadlock. */
export function isRetryableTransactionError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    const state = current instanceof TransactionError ? current.sqlState : sqlStateOf(current);
    if (state !== undefined && RETRYABLE_STATES.has(state)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function beginStatement(options: TransactionOptions): string {
  const parts = ['BEGIN'];
  if (options.isolation !== undefined) parts.push(`ISOLATION LEVEL ${options.isolation.toUpperCase()}`);
  if (options.readOnly === true) parts.push('READ ONLY');
  return parts.join(' ');
}

function stepFailed(step: 'begin' | 'commit' | 'rollback', err: unknown, cause: unknown): TransactionError {
  return new TransactionError(step, sqlStateOf(err), `transaction ${step} failed: ${maskSecrets(describeCause(err))}`, {
    cause,
  });
}

/**
 * Runs `fn` in one transaction on a pooled connection: COMMIT when it resolves, ROLLBACK when it throws.
 * An error thrown by `fn` is rethrown unchanged after the rollback (so callers still catch their own
 * typed errors); a failed BEGIN or COMMIT becomes a TransactionError carrying the SQLSTATE. When the
 * rollback itself fails, the connection is destroyed rather than returned to the pool, and a
 * TransactionError (step `rollback`) is thrown with the original error as its cause.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    try {
      await client.query(beginStatement(options));
    } catch (err) {
      broken = err instanceof Error ? err : new Error(describeCause(err));
      throw stepFailed('begin', err, err);
    }
    let result: T;
    try {
      result = await fn(client);
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(describeCause(rollbackErr));
        throw stepFailed('rollback', rollbackErr, err);
      }
      throw err;
    }
    try {
      await client.query('COMMIT');
    } catch (err) {
      // A failed COMMIT (a serialization failure found at commit time) ends the transaction; the
      // connection is still usable.
      throw stepFailed('commit', err, err);
    }
    return result;
  } finally {
    // Passing an error makes the pool destroy the connection instead of reusing a half-open transaction.
    client.release(broken);
  }
}

export interface RetryOptions {
  /** Attempts in all, the first included; 5 by default. */
  readonly maxAttempts?: number;
  /** Base of the jittered exponential backoff between attempts; 10 ms by default. */
  readonly baseDelayMs?: number;
  /** Called before each retry, e.g. to count retries in a metric. */
  readonly onRetry?: (attempt: number, err: unknown) => void;
}

/**
 * Runs `fn` in a SERIALIZABLE transaction and runs it again, on a fresh transaction, when PostgreSQL
 * reports a serialization failure (40001) or a deadlock (40P01). `fn` must therefore be safe to run
 * more than once: only database work, no messages sent from inside it. Gives up with a StoreError
 * (RETRIES_EXHAUSTED) whose cause is the last failure.
 */
export async function withSerializableRetry<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new StoreError(
      StoreErrorCode.INVALID_OPTION,
      'withSerializableRetry: maxAttempts must be at least 1',
      maxAttempts,
    );
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(pool, (client) => fn(client, attempt), { isolation: 'serializable' });
    } catch (err) {
      if (!isRetryableTransactionError(err)) throw err;
      if (attempt >= maxAttempts) {
        throw new StoreError(
          StoreErrorCode.RETRIES_EXHAUSTED,
          `serializable transaction still conflicting after ${attempt} attempts`,
          attempt,
          { cause: err },
        );
      }
      options.onRetry?.(attempt, err);
      // Jitter keeps two conflicting writers from retrying in lockstep and conflicting again.
      await delay(baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
