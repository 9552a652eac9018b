// Creates the configured database when it does not exist yet (the server's "postgres" database
// is the maintenance connection). Safe to run while another process does the same.
import pg from 'pg';
import { databaseNameOf, withDatabase } from '../doctor/url.js';

/** PostgreSQL's duplicate_database: someone else created it between our look and our create. */
const DUPLICATE_DATABASE = '42P04';

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export type EnsureDatabaseOutcome = 'created' | 'exists';

export async function ensureDatabase(url: string, timeoutMs: number): Promise<EnsureDatabaseOutcome> {
  const name = databaseNameOf(url);
  const client = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: timeoutMs,
    application_name: 'bourse-start',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== null && found.rowCount > 0) return 'exists';
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return 'created';
    } catch (err) {
      if ((err as { code?: unknown }).code === DUPLICATE_DATABASE) return 'exists';
      throw err;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
