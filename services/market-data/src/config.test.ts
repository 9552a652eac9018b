import { describe, it, expect } from 'vitest';
import { InstrumentRegistry, spotInstrument } from '@bourse/domain';
import { isMarketDataError, MarketDataErrorCode } from '@bourse/market-feed';
import { parseConfig } from './config.js';
import { resolveInstruments } from './instruments.js';

function configError(env: Record<string, string>): { variable: string; message: string } {
  try {
    parseConfig(env);
  } catch (err) {
    if (isMarketDataError(err, MarketDataErrorCode.INVALID_CONFIG)) {
      return { variable: (err as unknown as { variable: string }).variable, message: err.message };
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('defaults to the simulator on loopback, no recording, no keys', () => {
    const c = parseConfig({ PATH: '/usr/bin', HOME: '/root' });
    expect(c).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      redisUrl: 'redis://127.0.0.1:6379',
      namespace: '',
      target: 'sim',
      simEndpoints: { restUrl: 'http://127.0.0.1:8090', wsStreamUrl: 'ws://127.0.0.1:8090' },
      instruments: ['BTCUSDT', 'ETHUSDT'],
      channels: ['quotes', 'trades', 'book'],
      staleAfterMs: 5_000,
      snapshot: { keyPrefix: 'bourse:md:', ttlMs: 30_000, depth: 10, flushIntervalMs: 100 },
      recording: undefined,
      credentials: undefined,
    });
  });

  it('reads every setting', () => {
    const c = parseConfig({
      MD_VENUE_TARGET: 'testnet',
      MD_INSTRUMENTS: 'BTCUSDT, SOL/USDT,BTCUSDT',
      MD_CHANNELS: 'quotes,book',
      MD_STALE_AFTER_MS: '2000',
      MD_SNAPSHOT_DEPTH: '20',
      MD_SNAPSHOT_TTL_MS: '5000',
      MD_SNAPSHOT_KEY_PREFIX: 'x:',
      MD_RECORD_DIR: '/var/lib/bourse/rec',
      MD_RECORD_ROTATE_MS: '0',
      MD_OPS_PORT: '0',
      BOURSE_NAMESPACE: 'paper',
    });
    expect(c.target).toBe('testnet');
    expect(c.instruments).toEqual(['BTCUSDT', 'SOL/USDT']);
    expect(c.channels).toEqual(['quotes', 'book']);
    expect(c.staleAfterMs).toBe(2_000);
    expect(c.snapshot).toEqual({ keyPrefix: 'x:', ttlMs: 5_000, depth: 20, flushIntervalMs: 100 });
    expect(c.recording).toEqual({
      dir: '/var/lib/bourse/rec',
      maxFileBytes: 64 * 1024 * 1024,
      rotateIntervalMs: 0,
      maxBufferedBytes: 8 * 1024 * 1024,
    });
    expect(c.opsPort).toBe(0);
    expect(c.namespace).toBe('paper');
  });

  it('picks up the adapter key variables of the chosen target only when set', () => {
    const c = parseConfig({
      BINANCE_SIM_API_KEY: 'key-1234',
      BINANCE_SIM_API_SECRET: 'secret-5678',
      BINANCE_TESTNET_API_KEY: 'other',
    });
    expect(c.credentials?.env).toEqual({ BINANCE_SIM_API_KEY: 'key-1234', BINANCE_SIM_API_SECRET: 'secret-5678' });
    expect(parseConfig({ BINANCE_SECRET_FILE: '/run/secrets/binance' }).credentials).toEqual({
      env: {},
      secretFile: '/run/secrets/binance',
    });
  });

  it.each([
    [{ MD_STALE_AFTER_MS: 'soon' }, 'MD_STALE_AFTER_MS', /whole number/],
    [{ MD_STALE_AFTER_MS: '0' }, 'MD_STALE_AFTER_MS', /at least 1/],
    [{ MD_CHANNELS: 'quotes,ticks' }, 'MD_CHANNELS', /expected one of "quotes"/],
    [{ MD_INSTRUMENTS: 'btcusdt' }, 'MD_INSTRUMENTS', /upper case/],
    [{ MD_VENUE_TARGET: 'live' }, 'MD_VENUE_TARGET', /sim/],
    [{ NATS_URL: 'http://x' }, 'NATS_URL', /nats:\/\//],
    [{ MD_SNAPSHOT_FLUSH_MS: '5000', MD_SNAPSHOT_TTL_MS: '5000' }, 'MD_SNAPSHOT_FLUSH_MS', /below MD_SNAPSHOT_TTL_MS/],
    [{ MD_STALE_AFTR_MS: '100' }, 'MD_STALE_AFTR_MS', /not a market-data setting/],
  ])('refuses %j naming %s', (env, variable, message) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(message);
  });

  it('never echoes a URL password', () => {
    const err = configError({ REDIS_URL: 'http://user:hunter22@redis:6379' });
    expect(err.message).not.toContain('hunter22');
    expect(err.message).toContain('***');
  });
});

describe('resolveInstruments', () => {
  const registry = new InstrumentRegistry('binance', [
    spotInstrument('BTC/USDT', 'binance', 'BTCUSDT'),
    spotInstrument('ETH/USDT', 'binance', 'ETHUSDT'),
  ]);

  it('accepts venue and internal spellings, once each', () => {
    expect(resolveInstruments(['BTCUSDT', 'ETH/USDT', 'BTC/USDT'], registry)).toEqual([
      { instrument: 'BTC/USDT', venueSymbol: 'BTCUSDT' },
      { instrument: 'ETH/USDT', venueSymbol: 'ETHUSDT' },
    ]);
  });

  it('refuses a symbol the venue does not list, naming MD_INSTRUMENTS', () => {
    expect(() => resolveInstruments(['DOGEUSDT'], registry)).toThrow(
      /MD_INSTRUMENTS lists "DOGEUSDT".*BTCUSDT, ETHUSDT/,
    );
  });
});
