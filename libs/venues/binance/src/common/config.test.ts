import { describe, it, expect } from 'vitest';
import {
  BINANCE_MAINNET_ENDPOINTS,
  BINANCE_TESTNET_ENDPOINTS,
  combinedStreamUrl,
  DEFAULT_SIM_ENDPOINTS,
  endpointsFor,
  InvalidBinanceConfigError,
  parseBinanceOptions,
} from './config.js';

describe('Binance adapter options', () => {
  it('fills defaults and picks endpoints by target', () => {
    const o = parseBinanceOptions({ target: { name: 'testnet' } });
    expect(o.recvWindowMs).toBe(5_000);
    expect(o.orderPath).toBe('ws-api');
    expect(endpointsFor(o.target)).toBe(BINANCE_TESTNET_ENDPOINTS);
    expect(endpointsFor({ name: 'mainnet' })).toBe(BINANCE_MAINNET_ENDPOINTS);
    const sim = {
      restUrl: 'http://127.0.0.1:1',
      wsStreamUrl: 'ws://127.0.0.1:1',
      wsApiUrl: 'ws://127.0.0.1:1/ws-api/v3',
    };
    expect(endpointsFor(parseBinanceOptions({ target: { name: 'sim', endpoints: sim } }).target)).toEqual(sim);
  });

  it('defaults to the simulator on loopback', () => {
    expect(endpointsFor(parseBinanceOptions({}).target)).toEqual(DEFAULT_SIM_ENDPOINTS);
    expect(endpointsFor(parseBinanceOptions({ target: { name: 'sim' } }).target).restUrl).toBe('http://127.0.0.1:8090');
  });

  it('fails early, naming every bad field', () => {
    let err: unknown;
    try {
      parseBinanceOptions({
        target: { name: 'sim', endpoints: { restUrl: 'nope' } },
        recvWindowMs: 90_000,
        orderPath: 'fax',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidBinanceConfigError);
    const paths = (err as InvalidBinanceConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['target.endpoints.restUrl', 'recvWindowMs', 'orderPath']));
    expect(() => parseBinanceOptions({ target: { name: 'mainnet' }, surprise: 1 })).toThrow(/surprise|Unrecognized/);
  });

  it('builds combined-stream URLs from a base given with or without /ws or /stream', () => {
    expect(combinedStreamUrl('wss://stream.binance.com:9443', ['btcusdt@trade', 'btcusdt@depth@100ms'])).toBe(
      'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@depth@100ms',
    );
    expect(combinedStreamUrl('ws://127.0.0.1:9/ws/', ['a@trade'])).toBe('ws://127.0.0.1:9/stream?streams=a@trade');
    expect(combinedStreamUrl('ws://127.0.0.1:9/stream', [])).toBe('ws://127.0.0.1:9/stream');
  });
});
