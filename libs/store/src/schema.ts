// A namespace's own PostgreSQL schema. Two platforms that share one database (two users on a server,
// a test run beside a paper run) keep their tables apart by namespace: every connection of a
// namespaced service has the namespace's schema as its only search_path, so the unqualified table
// names in the migrations and queries resolve there, and nothing falls through to another
// platform's tables (public is left out on purpose). Without a namespace nothing changes: the
// server's default search_path, hence `public`.

import type pg from 'pg';
import { StoreError, StoreErrorCode, describeCause } from './errors.js';
import { quoteIdentifier } from './database.js';

/** Letters, digits, "_", ":" and "-": the namespace token of the subjects. */
const NAMESPACE = /^[A-Za-z0-9_:-]{1,48}$/;

/** The schema of a namespace (`bourse_<namespace>`), or undefined for none (the server's default, `public`). */
export function namespaceSchema(namespace: string): string | undefined {
  if (namespace === '') return undefined;
  if (!NAMESPACE.test(namespace)) {
    throw new StoreError(
      StoreErrorCode.INVALID_OPTION,
      `namespace "${namespace}" must be 1-48 letters, digits, "_", ":" or "-"`,
      namespace,
    );
  }
  return `bourse_${namespace}`;
}

/** The startup `options` that make a connection's search_path the schema alone. */
export function searchPathOption(schema: string): string {
  return `-c search_path=${quoteIdentifier(schema)}`;
}

/** Creates the schema when missing (safe when several processes start at once). */
export async function ensureSchema(db: Pick<pg.Pool, 'query'>, schema: string): Promise<void> {
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (err) {
    // Two concurrent CREATE SCHEMA IF NOT EXISTS can race on the catalog's unique index.
    if ((err as { code?: string }).code === '23505') return;
    throw new StoreError(
      StoreErrorCode.DATABASE_SETUP_FAILED,
      `cannot create schema ${schema}: ${describeCause(err)}`,
      schema,
      { cause: err },
    );
  }
}
