import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { withDatabase } from '../doctor/url.js';
import { ensureDatabase, quoteIdentifier } from './database.js';

const base = loadConfig().databaseUrl;
const name = `bourse_cli_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const url = withDatabase(base, name);

afterAll(async () => {
  const client = new pg.Client({ connectionString: withDatabase(base, 'postgres') });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  await client.end();
});

describe('ensureDatabase', () => {
  it('creates the database once, then finds it', async () => {
    expect(await ensureDatabase(url, 5_000)).toBe('created');
    expect(await ensureDatabase(url, 5_000)).toBe('exists');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0]?.db).toBe(name);
  });

  it('quotes identifiers so a name cannot escape', () => {
    expect(quoteIdentifier('bourse')).toBe('"bourse"');
    expect(quoteIdentifier('a"; DROP DATABASE x; --')).toBe('"a""; DROP DATABASE x; --"');
  });
});
