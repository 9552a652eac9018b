import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { StrategiesFileError, parseStrategies } from '@bourse/strategy';
import { RunnerConfigError } from './errors.js';

describe('loadConfig', () => {
  it('applies defaults and reads what is set', () => {
    const c = loadConfig({
      REPLICA_ID: 'runner-0',
      LEASE_TTL_MS: '3000',
      LEASE_RENEW_MS: '500',
      LEASE_MARGIN_MS: '800',
    });
    expect(c).toMatchObject({ replicaId: 'runner-0', leaseTtlMs: 3000, namespace: '', strategiesFile: undefined });
    expect(c.barPrice).toBe('last');
    expect(loadConfig({ BAR_PRICE: 'ask' }).barPrice).toBe('ask');
    expect(c.allowChangedCode).toBe(false);
    expect(loadConfig({ RUNNER_ALLOW_CHANGED_CODE: 'true' }).allowChangedCode).toBe(true);
  });

  it.each([
    [{ LEASE_TTL_MS: 'ten' }, 'LEASE_TTL_MS'],
    [{ OPS_PORT: '70000' }, 'OPS_PORT'],
    [{ REPLICA_ID: 'has space' }, 'REPLICA_ID'],
    [{ BAR_PRICE: 'close' }, 'BAR_PRICE'],
    [{ RUNNER_ALLOW_CHANGED_CODE: 'yes' }, 'RUNNER_ALLOW_CHANGED_CODE'],
    [{ LEASE_TTL_MS: '3000', LEASE_RENEW_MS: '2000', LEASE_MARGIN_MS: '1000' }, 'LEASE_RENEW_MS'],
  ])('names the bad variable: %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(RunnerConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('never echoes a value (URLs may hold passwords)', () => {
    const err = (() => {
      try {
        loadConfig({ NATS_URL: 'nats://u:hunter2@x:4222', OPS_PORT: 'x' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).not.toContain('hunter2');
  });
});

describe('parseStrategies', () => {
  const good = `
strategies:
  - name: sma-cross
    id: sma-btc
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT, { symbol: ETH/USDT, venueSymbol: ETHUSDT }]
    params: { fast: 2, slow: 5, sizing: { kind: qty, qty: "1" } }
`;

  it('reads YAML (and JSON) into checked strategy configs', () => {
    const [s] = parseStrategies(good, 'good.yaml');
    expect(s).toMatchObject({ id: 'sma-btc', version: '1.0.0' });
    expect(s?.instruments).toEqual([
      { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' },
      { venue: 'binance', symbol: 'ETH/USDT', venueSymbol: 'ETHUSDT' },
    ]);
    const json = JSON.stringify({
      strategies: [
        {
          name: 'sma-cross',
          version: '1.0.0',
          venue: 'binance',
          instruments: ['BTC/USDT'],
          params: { fast: 2, slow: 5, sizing: { kind: 'qty', qty: '1' } },
        },
      ],
    });
    expect(parseStrategies(json, 'good.json')[0]?.id).toBe('sma-cross');
    const aged = good.replace('venue: binance', 'venue: binance\n    maxDecisionAgeMs: { market: 3000 }');
    expect(parseStrategies(aged, 'aged.yaml')[0]?.maxDecisionAgeMs).toEqual({ market: 3_000 });
  });

  it.each([
    ['an unknown strategy', good.replace('name: sma-cross', 'name: nope'), 'strategies.0.name'],
    ['a version that is not the code', good.replace('1.0.0', '2.0.0'), 'strategies.0.version'],
    ['bad params', good.replace('fast: 2', 'fast: 9'), 'strategies.0.params'],
    ['a bad instrument', good.replace('BTC/USDT,', 'btc,'), 'strategies.0.instruments.0'],
    ['an id too long for client order ids', good.replace('id: sma-btc', 'id: sma-btc-very-long-id'), 'strategies.0.id'],
    ['not YAML at all', 'strategies: [', 'not valid YAML'],
    [
      'a shelf life below 100 ms',
      good.replace('venue: binance', 'venue: binance\n    maxDecisionAgeMs: { market: 10 }'),
      'strategies.0.maxDecisionAgeMs.market',
    ],
  ])('refuses %s, naming the path', (_what, text, path) => {
    expect(() => parseStrategies(text, 'bad.yaml')).toThrow(StrategiesFileError);
    expect(() => parseStrategies(text, 'bad.yaml')).toThrow(path);
  });
});
