import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL, parseConfig } from './config.js';
import { ConfigError } from './errors.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('parseConfig', () => {
  it('uses the local defaults when nothing is set', () => {
    const config = parseConfig({});
    expect(config).toEqual({
      natsUrl: DEFAULT_NATS_URL,
      databaseUrl: DEFAULT_DATABASE_URL,
      redisUrl: DEFAULT_REDIS_URL,
      searchPath: '',
    });
    expect(config.natsUrl).toBe('nats://127.0.0.1:4222');
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/bourse');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('takes the variables that are set and ignores unrelated ones', () => {
    const config = parseConfig({
      NATS_URL: 'tls://nats.internal:4443',
      DATABASE_URL: 'postgresql://u:pw@db:5433/x',
      REDIS_URL: 'rediss://:pw@cache:6380/1',
      PATH: '/usr/bin:/bin',
      HOME: '/root',
    });
    expect(config.natsUrl).toBe('tls://nats.internal:4443');
    expect(config.databaseUrl).toBe('postgresql://u:pw@db:5433/x');
    expect(config.redisUrl).toBe('rediss://:pw@cache:6380/1');
    expect(config.searchPath).toBe('/usr/bin:/bin');
  });

  it('names the variable whose URL does not parse, and masks its password', () => {
    const err = configError({ DATABASE_URL: 'postgres://u:hunter2@[oops' });
    expect(err.variable).toBe('DATABASE_URL');
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain('not a valid URL');
    expect(err.message).not.toContain('hunter2');
    expect(err.value).not.toContain('hunter2');
  });

  it('rejects a URL of the wrong protocol, naming the expected ones', () => {
    const err = configError({ NATS_URL: 'http://127.0.0.1:4222' });
    expect(err.variable).toBe('NATS_URL');
    expect(err.message).toMatch(/expected one of nats:\/\/, tls:\/\//);
  });

  it('rejects an empty value instead of guessing', () => {
    const err = configError({ REDIS_URL: '' });
    expect(err.variable).toBe('REDIS_URL');
    expect(err.message).toContain('is empty');
  });

  it('rejects a URL without a host', () => {
    expect(configError({ REDIS_URL: 'redis://' }).message).toMatch(/REDIS_URL .*(no host|not a valid URL)/);
  });
});
