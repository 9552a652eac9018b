import { instrumentFromJson, type InstrumentSpec } from '@bourse/domain';

// Test fixtures for capture files: a spec and Binance stream frames as the venue sends them.
// Test-only: imported by *.test.ts files and re-exported by the `./testing` entry, never by the main entry.

export const BTC_SPEC: InstrumentSpec = instrumentFromJson({
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  venue: 'binance',
  venueSymbol: 'BTCUSDT',
  trading: true,
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  minNotional: '5',
  minNotionalAppliesToMarket: true,
  maxNotionalAppliesToMarket: false,
  multiplier: '1',
});

export function tradeFrame(id: number, price: string, qty: string, time: number): string {
  return JSON.stringify({
    stream: 'btcusdt@trade',
    data: { e: 'trade', E: time, s: 'BTCUSDT', t: id, p: price, q: qty, T: time, m: false },
  });
}

export function quoteFrame(updateId: number, bid: string, ask: string): string {
  return JSON.stringify({
    stream: 'btcusdt@bookTicker',
    data: { u: updateId, s: 'BTCUSDT', b: bid, B: '1.00000000', a: ask, A: '2.00000000' },
  });
}

export function depthFrame(
  first: number,
  last: number,
  bids: [string, string][],
  asks: [string, string][],
  time: number,
): string {
  return JSON.stringify({
    stream: 'btcusdt@depth@100ms',
    data: { e: 'depthUpdate', E: time, s: 'BTCUSDT', U: first, u: last, b: bids, a: asks },
  });
}
