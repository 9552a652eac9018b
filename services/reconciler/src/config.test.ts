import { describe, expect, it } from 'vitest';
import { DEFAULT_OPS_PORT, DEFAULT_RECON_INTERVAL_MS, loadConfig, ReconcilerConfigError } from './config.js';

describe('loadConfig', () => {
  it('defaults to the local servers and the simulator, every two minutes, activation off', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      target: 'sim',
      opsPort: DEFAULT_OPS_PORT,
      opsHost: '127.0.0.1',
      intervalMs: DEFAULT_RECON_INTERVAL_MS,
      activateOnFirstPass: false,
      namespace: '',
      reconciler: { unknownOrders: 'report', defaultTolerance: '0' },
    });
  });

  it('reads the tolerances, the activation flag, OPS_PORT and the sim keys', () => {
    const c = loadConfig({
      RECON_CONFIG: '{"tolerances":{"USDT":"1"},"unknownOrders":"cancel-ours"}',
      RECON_ACTIVATE_ON_FIRST_PASS: 'true',
      OPS_PORT: '9200',
      RECON_OPS_HOST: '0.0.0.0',
      RECON_INTERVAL_MS: '60000',
      BINANCE_SIM_API_KEY: 'k',
      BINANCE_SIM_API_SECRET: 's',
    });
    expect(c.reconciler.tolerances).toEqual({ USDT: '1' });
    expect(c.reconciler.unknownOrders).toBe('cancel-ours');
    expect(c).toMatchObject({ activateOnFirstPass: true, opsPort: 9200, opsHost: '0.0.0.0', intervalMs: 60000 });
    expect(c.credentials.env).toEqual({ BINANCE_SIM_API_KEY: 'k', BINANCE_SIM_API_SECRET: 's' });
  });

  it('names the bad variable and never echoes a URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL must be a URL/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://u:secret@h/db' });
    } catch (err) {
      expect(err).toBeInstanceOf(ReconcilerConfigError);
      expect(String((err as Error).message)).not.toContain('secret');
    }
    expect(() => loadConfig({ RECON_OPS_HOST: 'local host' })).toThrow(/RECON_OPS_HOST must be an address to bind/);
    expect(() => loadConfig({ RECON_INTERVAL_MS: 'soon' })).toThrow(/RECON_INTERVAL_MS must be a whole number/);
    expect(() => loadConfig({ RECON_CONFIG: '{"tolerances":{"USDT":"-1"}}' })).toThrow(
      /RECON_CONFIG: config is invalid: tolerances.USDT/,
    );
    expect(() => loadConfig({ RECON_CONFIG: 'not json' })).toThrow(/RECON_CONFIG is not valid JSON/);
    expect(() =>
      loadConfig({ RECON_CONFIG_FILE: '/nope.json' }, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(/RECON_CONFIG_FILE cannot be read/);
  });
});
