import { describe, expect, it } from 'vitest';
import {
  databaseNameOf,
  endpointOf,
  formatEndpoint,
  isLoopbackHost,
  maskSecrets,
  maskUrl,
  passwordsOf,
  userNameOf,
  withDatabase,
} from './url.js';

describe('maskUrl', () => {
  it('replaces the password and keeps everything else', () => {
    expect(maskUrl('postgres://bob:hunter2@db.example:5433/bourse?sslmode=require')).toBe(
      'postgres://bob:***@db.example:5433/bourse?sslmode=require',
    );
  });

  it('masks a Redis password that has no user name', () => {
    expect(maskUrl('redis://:s3cret@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it('leaves a URL without a password as written', () => {
    expect(maskUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/bourse')).toBe('postgres://postgres@127.0.0.1:5432/bourse');
  });

  it('masks credentials in text that does not parse as a URL', () => {
    const masked = maskUrl('postgres://bob:hunter2@[not-a-host');
    expect(masked).not.toContain('hunter2');
    expect(masked).toContain('bob:***@');
  });
});

describe('passwordsOf / maskSecrets', () => {
  it('finds written and decoded forms of a percent-encoded password', () => {
    const found = passwordsOf(['postgres://bob:p%40ss%2Fword@h/db']);
    expect(found).toContain('p%40ss%2Fword');
    expect(found).toContain('p@ss/word');
  });

  it('ignores URLs without passwords', () => {
    expect(passwordsOf(['nats://127.0.0.1:4222', 'redis://127.0.0.1'])).toEqual([]);
  });

  it('masks URL credentials and literal secrets anywhere in a message', () => {
    const text = 'auth failed for nats://alice:topsecret@h:4222 (password topsecret rejected)';
    const out = maskSecrets(text, ['topsecret']);
    expect(out).not.toContain('topsecret');
    expect(out).toBe('auth failed for nats://alice:***@h:4222 (password *** rejected)');
  });
});

describe('endpointOf', () => {
  it('fills in each protocol’s default port', () => {
    expect(endpointOf('nats://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 4222 });
    expect(endpointOf('postgresql://h/db')).toEqual({ host: 'h', port: 5432 });
    expect(endpointOf('rediss://h')).toEqual({ host: 'h', port: 6379 });
  });

  it('keeps an explicit port and unwraps IPv6 hosts', () => {
    expect(endpointOf('redis://[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(formatEndpoint({ host: '::1', port: 7000 })).toBe('[::1]:7000');
    expect(formatEndpoint({ host: '127.0.0.1', port: 4222 })).toBe('127.0.0.1:4222');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['db.example', false],
    ['127.0.0.1.example', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('PostgreSQL URL parts', () => {
  it('reads the database, falling back to the user name like libpq', () => {
    expect(databaseNameOf('postgres://u@h:5432/bourse')).toBe('bourse');
    expect(databaseNameOf('postgres://trader@h:5432')).toBe('trader');
    expect(databaseNameOf('postgres://h:5432/')).toBe('postgres');
    expect(databaseNameOf('postgres://h/my%20db')).toBe('my db');
  });

  it('reads the user, "postgres" when none is given', () => {
    expect(userNameOf('postgres://trader:pw@h/db')).toBe('trader');
    expect(userNameOf('postgres://h/db')).toBe('postgres');
  });

  it('points the same URL at another database, keeping credentials and parameters', () => {
    expect(withDatabase('postgres://u:pw@h:5433/bourse?sslmode=disable', 'postgres')).toBe(
      'postgres://u:pw@h:5433/postgres?sslmode=disable',
    );
  });
});
