import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_LIMITS_FILE,
  DEFAULT_NATS_URL,
  DEFAULT_OPS_PORT,
  DEFAULT_REDIS_URL,
  RiskGateConfigError,
  loadConfig,
} from './config.js';

describe('loadConfig', () => {
  it('falls back to the local defaults when nothing is set (empty counts as unset)', () => {
    const config = loadConfig({ NATS_URL: '', BOURSE_NAMESPACE: '  ' });
    expect(config).toMatchObject({
      natsUrl: DEFAULT_NATS_URL,
      databaseUrl: DEFAULT_DATABASE_URL,
      redisUrl: DEFAULT_REDIS_URL,
      limitsFile: DEFAULT_LIMITS_FILE,
      venue: 'binance',
      instance: 0,
      opsPort: DEFAULT_OPS_PORT,
      opsHost: '127.0.0.1',
      namespace: '',
      logLevel: 'info',
      decisionRecallMs: 86_400_000,
      inFlightExpiryMs: 300_000,
    });
    expect(DEFAULT_LIMITS_FILE).toMatch(/risk-gate\/config\/limits\.example\.yaml$/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      NATS_URL: 'nats://nats:4222',
      DATABASE_URL: 'postgresql://u@db:5432/x',
      REDIS_URL: 'rediss://r:6380',
      RISK_LIMITS_FILE: '/etc/bourse/limits.json',
      RISK_LIMITS_POLL_MS: '250',
      RISK_GATE_VENUE: 'binance-testnet',
      RISK_GATE_INSTANCE: '7',
      RISK_GATE_OPS_PORT: '0',
      RISK_GATE_OPS_HOST: '0.0.0.0',
      BOURSE_NAMESPACE: 'paper_1',
      LOG_LEVEL: 'debug',
      RISK_DECISION_RECALL_MS: '3600000',
      RISK_IN_FLIGHT_EXPIRY_MS: '60000',
    });
    expect(config).toEqual({
      natsUrl: 'nats://nats:4222',
      databaseUrl: 'postgresql://u@db:5432/x',
      redisUrl: 'rediss://r:6380',
      limitsFile: '/etc/bourse/limits.json',
      limitsPollMs: 250,
      venue: 'binance-testnet',
      instance: 7,
      opsPort: 0,
      opsHost: '0.0.0.0',
      namespace: 'paper_1',
      logLevel: 'debug',
      decisionRecallMs: 3_600_000,
      inFlightExpiryMs: 60_000,
    });
  });

  it.each([
    ['NATS_URL', 'http://nats:4222'],
    ['DATABASE_URL', 'mysql://x'],
    ['RISK_GATE_OPS_PORT', '70000'],
    ['RISK_GATE_OPS_HOST', 'local host'],
    ['RISK_GATE_INSTANCE', '1.5'],
    ['RISK_LIMITS_POLL_MS', 'often'],
    ['RISK_GATE_VENUE', 'Binance'],
    ['BOURSE_NAMESPACE', 'a.b'],
    ['LOG_LEVEL', 'loud'],
    ['RISK_DECISION_RECALL_MS', '-1'],
    ['RISK_IN_FLIGHT_EXPIRY_MS', '10'],
  ])('names %s when it is malformed', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RiskGateConfigError);
    expect((error as RiskGateConfigError).value).toBe(name);
    expect((error as Error).message).toContain(name);
  });

  it('never echoes a URL that may carry a password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });
});
