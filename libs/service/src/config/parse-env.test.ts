import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceConfigError } from './config-error.js';
import { parseEnv } from './parse-env.js';
import { booleanFlag, decimalText, logLevel, natsUrl, opsHost, wholeNumber } from './variables.js';
import { DEFAULT_NATS_URL } from './defaults.js';

const Env = z.object({
  NATS_URL: natsUrl,
  LOG_LEVEL: logLevel,
  OPS_HOST: opsHost,
  PORT: wholeNumber(0, 65_535).default(9000),
  SPREAD: decimalText.default('25'),
  ON: booleanFlag.default(false),
});

const fail = (variables: string, detail: string, cause: unknown) =>
  new ServiceConfigError(variables, `invalid test configuration: ${detail}`, { cause });

describe('parseEnv', () => {
  it('gives the defaults when nothing (or only blanks) is set', () => {
    expect(parseEnv(Env, { NATS_URL: '  ', UNRELATED: 'x' }, fail)).toEqual({
      NATS_URL: DEFAULT_NATS_URL,
      LOG_LEVEL: 'info',
      OPS_HOST: '127.0.0.1',
      PORT: 9000,
      SPREAD: '25',
      ON: false,
    });
  });

  it('reads set values', () => {
    expect(parseEnv(Env, { PORT: ' 80 ', ON: '1', LOG_LEVEL: 'silent', SPREAD: '2.5' }, fail)).toMatchObject({
      PORT: 80,
      ON: true,
      LOG_LEVEL: 'silent',
      SPREAD: '2.5',
    });
  });

  it('names every wrong variable, never a value', () => {
    const run = () => parseEnv(Env, { NATS_URL: 'http://u:hunter2@x', PORT: '70000', ON: 'yes' }, fail);
    expect(run).toThrow(ServiceConfigError);
    try {
      run();
    } catch (err) {
      const e = err as ServiceConfigError;
      expect(e.value).toBe('NATS_URL,PORT,ON');
      expect(e.code).toBe('INVALID_CONFIG');
      expect(e.message).toContain('NATS_URL must be a URL starting with nats://');
      expect(e.message).not.toContain('hunter2');
    }
  });
});
