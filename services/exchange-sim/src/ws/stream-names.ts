// Binance stream names: `<symbol>@trade`, `@aggTrade`, `@bookTicker`, `@depth[@100ms|@1000ms]`,
// `@depth<5|10|20>[@100ms|@1000ms]`, `@kline_<interval>`; or a listenKey for the legacy user data stream.

export type StreamKind =
  | { kind: 'trade'; symbol: string }
  | { kind: 'aggTrade'; symbol: string }
  | { kind: 'bookTicker'; symbol: string }
  | { kind: 'depthDiff'; symbol: string; fast: boolean }
  | { kind: 'partialDepth'; symbol: string; levels: 5 | 10 | 20; fast: boolean }
  | { kind: 'kline'; symbol: string; interval: string; intervalMs: number }
  | { kind: 'userData'; listenKey: string }
  | { kind: 'unsupported'; name: string };

export const KLINE_INTERVALS: Readonly<Record<string, number>> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
};

const NAME = /^[a-z0-9-_.]{1,20}@[A-Za-z0-9_@.+:]{1,40}$/;
const LISTEN_KEY = /^[A-Za-z0-9]{60}$/;

/** Whether Binance would accept the name at all (lower-case symbol, a known shape). */
export function isValidStreamName(name: string): boolean {
  return NAME.test(name) || LISTEN_KEY.test(name);
}

/** What a stream carries; names the sim does not produce data for come back as `unsupported`. */
export function parseStreamName(name: string): StreamKind {
  if (LISTEN_KEY.test(name)) return { kind: 'userData', listenKey: name };
  const at = name.indexOf('@');
  const lower = name.slice(0, at);
  const rest = name.slice(at + 1);
  const symbol = lower.toUpperCase();
  switch (rest) {
    case 'trade':
      return { kind: 'trade', symbol };
    case 'aggTrade':
      return { kind: 'aggTrade', symbol };
    case 'bookTicker':
      return { kind: 'bookTicker', symbol };
    case 'depth':
    case 'depth@1000ms':
      return { kind: 'depthDiff', symbol, fast: false };
    case 'depth@100ms':
      return { kind: 'depthDiff', symbol, fast: true };
  }
  const partial = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(rest);
  if (partial) {
    return { kind: 'partialDepth', symbol, levels: Number(partial[1]) as 5 | 10 | 20, fast: partial[2] === '@100ms' };
  }
  const kline = /^kline_([0-9]+[smhd])$/.exec(rest);
  const intervalMs = kline?.[1] === undefined ? undefined : KLINE_INTERVALS[kline[1]];
  if (kline?.[1] !== undefined && intervalMs !== undefined)
    return { kind: 'kline', symbol, interval: kline[1], intervalMs };
  return { kind: 'unsupported', name };
}
