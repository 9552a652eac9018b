import { describe, expect, it } from 'vitest';
import { DEFAULT_OPS_PORT, loadConfig, OrderManagerConfigError } from './config.js';

function configError(env: Record<string, string>): OrderManagerConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof OrderManagerConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('serves the ops endpoints on loopback unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ opsPort: DEFAULT_OPS_PORT, opsHost: '127.0.0.1' });
    // A pod binds every interface so Prometheus can scrape /metrics.
    expect(loadConfig({ OPS_HOST: '0.0.0.0', OPS_PORT: '9300' })).toMatchObject({ opsPort: 9300, opsHost: '0.0.0.0' });
  });

  it.each([
    ['OPS_HOST', 'local host'],
    ['OPS_PORT', '70000'],
    ['OMS_VENUE_TARGET', 'live'],
  ])('names %s when it is malformed', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.value).toContain(name);
    expect(error.message).toContain(name);
  });

  it('never echoes a URL that may carry a password', () => {
    const error = configError({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
  });
});
