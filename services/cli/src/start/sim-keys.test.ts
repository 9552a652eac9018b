import { describe, expect, it } from 'vitest';
import { credentialEnvNames } from '@bourse/venue-binance';
import { SIM_KEY_VARIABLES, simKeyEnv, simKeyGrant } from './sim-keys.js';

const keys = {
  trading: { apiKey: 'trading-key', apiSecret: 'trading-secret', source: 'stored' as const },
  readOnly: { apiKey: 'read-key', apiSecret: 'read-secret', source: 'stored' as const },
};

describe('simKeyGrant', () => {
  it('gives the trading key only where orders are placed, the read-only key where the venue is only read', () => {
    const report = { unknownOrders: 'report' };
    expect(simKeyGrant('exchange-sim', report)).toBe('both pairs (the venue)');
    expect(simKeyGrant('order-manager', report)).toBe('trading');
    expect(simKeyGrant('reconciler', report)).toBe('read-only');
    expect(simKeyGrant('reconciler', {})).toBe('read-only');
    expect(simKeyGrant('market-data', report)).toBe('read-only');
    expect(simKeyGrant('risk-gate', report)).toBe('none');
    expect(simKeyGrant('strategy-runner', report)).toBe('none');
  });

  it('gives the reconciler the trading key when its unknown-order policy cancels at the venue', () => {
    expect(simKeyGrant('reconciler', { unknownOrders: 'cancel-ours' })).toBe('trading');
    expect(simKeyGrant('reconciler', { unknownOrders: 'cancel-all' })).toBe('trading');
  });
});

describe('simKeyEnv', () => {
  it("names the adapter's own sim variables", () => {
    const names = credentialEnvNames('sim');
    for (const name of [names.apiKey, names.apiSecret, names.readOnly]) expect(SIM_KEY_VARIABLES).toContain(name);
  });

  it('hands each grant its pair and clears every other key variable', () => {
    const names = credentialEnvNames('sim');
    expect(simKeyEnv('trading', keys)).toMatchObject({
      [names.apiKey]: 'trading-key',
      [names.apiSecret]: 'trading-secret',
      [names.readOnly]: undefined,
      BOURSE_SIM_API_KEY: undefined,
      BOURSE_SIM_READONLY_API_SECRET: undefined,
    });
    expect(simKeyEnv('read-only', keys)).toMatchObject({
      [names.apiKey]: 'read-key',
      [names.apiSecret]: 'read-secret',
      [names.readOnly]: 'true',
      BOURSE_SIM_API_SECRET: undefined,
    });
    const none = simKeyEnv('none', keys);
    expect(Object.keys(none).sort()).toEqual([...SIM_KEY_VARIABLES].sort());
    expect(Object.values(none).every((v) => v === undefined)).toBe(true);
    expect(simKeyEnv('both pairs (the venue)', keys)).toMatchObject({
      BOURSE_SIM_API_KEY: 'trading-key',
      BOURSE_SIM_API_SECRET: 'trading-secret',
      BOURSE_SIM_READONLY_API_KEY: 'read-key',
      BOURSE_SIM_READONLY_API_SECRET: 'read-secret',
      [names.apiKey]: undefined,
    });
  });
});
