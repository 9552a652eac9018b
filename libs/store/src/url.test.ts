import { describe, expect, it } from 'vitest';
import { StoreErrorCode, isStoreError } from './errors.js';
import { maskDatabaseText, parseDatabaseUrl, redactDatabaseUrl, withDatabaseName } from './url.js';

function refusal(url: string): Error {
  try {
    parseDatabaseUrl(url);
  } catch (err) {
    expect(isStoreError(err, StoreErrorCode.INVALID_URL)).toBe(true);
    return err as Error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('parseDatabaseUrl', () => {
  it('splits a URL into pg fields, decoding a password with reserved characters', () => {
    const url = parseDatabaseUrl('postgresql://svc:p%40ss%2Fw%3Ard@db.local:6543/bourse?sslmode=require');
    expect(url).toMatchObject({
      host: 'db.local',
      port: 6543,
      user: 'svc',
      password: 'p@ss/w:rd',
      database: 'bourse',
      sslMode: 'require',
    });
    expect(url.redacted).toBe('postgresql://svc:***@db.local:6543/bourse?sslmode=require');
  });

  it('defaults the port and leaves user and password out when absent', () => {
    expect(parseDatabaseUrl('postgres://127.0.0.1/bourse')).toMatchObject({
      port: 5432,
      user: undefined,
      password: undefined,
    });
  });

  it('refuses other protocols, unknown parameters and missing names without echoing the password', () => {
    expect(refusal('mysql://u:Secret99@h/db').message).toMatch(/protocol mysql:/);
    const unknown = refusal('postgres://u:Secret99@h/db?sslmod=require');
    expect(unknown.message).toMatch(/unsupported parameter "sslmod"/);
    expect(unknown.message).not.toContain('Secret99');
    expect(refusal('postgres://u:Secret99@h/db?sslmode=prefer').message).toMatch(/sslmode "prefer"/);
    expect(refusal('postgres://h:5432').message).toMatch(/must name one database/);
    expect(refusal(`postgres://h/${'x'.repeat(64)}`).message).toMatch(/longer than 63 bytes/);
    expect(refusal('').message).toMatch(/DATABASE_URL/);
    const garbage = refusal('not a url with Secret99');
    expect(garbage.message).toMatch(/is not a URL/);
  });
});

describe('masking', () => {
  it('redacts the password and keeps the rest of the URL', () => {
    expect(redactDatabaseUrl('postgres://u:hunter22@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactDatabaseUrl('postgres://u@h:5432/db')).toBe('postgres://u@h:5432/db');
  });

  it('masks a password quoted in free text, raw and URL-encoded', () => {
    const text = 'failed for p@ss/word and p%40ss%2Fword at postgres://u:whatever@h/db';
    const masked = maskDatabaseText(text, 'p@ss/word');
    expect(masked).not.toContain('p@ss/word');
    expect(masked).not.toContain('p%40ss%2Fword');
    expect(masked).not.toContain('whatever');
    expect(masked).toContain('***');
  });

  it('moves a URL to another database on the same server', () => {
    expect(withDatabaseName('postgres://u:pw@h:5432/bourse?sslmode=disable', 'postgres')).toBe(
      'postgres://u:pw@h:5432/postgres?sslmode=disable',
    );
  });
});
