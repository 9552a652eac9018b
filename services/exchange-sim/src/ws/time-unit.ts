// `timeUnit=MICROSECOND` on a stream connection's URL: Binance then sends every time field of its
// events in microseconds instead of milliseconds. Ids (a trade's `t`, an order's `i`) stay as they are.

/** The time fields of each event type (by its `e`); a kline's `k.t` / `k.T` are handled apart. */
const TIME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  trade: ['E', 'T'],
  aggTrade: ['E', 'T'],
  depthUpdate: ['E'],
  kline: ['E'],
  executionReport: ['E', 'T', 'O', 'W'],
  outboundAccountPosition: ['E', 'u'],
  balanceUpdate: ['E', 'T'],
  listStatus: ['E', 'T'],
  listenKeyExpired: ['E'],
  serverShutdown: ['E'],
};

export type TimeUnit = 'MILLISECOND' | 'MICROSECOND';

/** The URL's `timeUnit` (either case, as Binance documents), or undefined when the value is not one. */
export function parseTimeUnit(value: string | null): TimeUnit | undefined {
  if (value === null) return 'MILLISECOND';
  const upper = value.toUpperCase();
  return upper === 'MILLISECOND' || upper === 'MICROSECOND' ? upper : undefined;
}

/** The payload with its time fields in microseconds; payloads without time fields come back as they are. */
export function inMicroseconds(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const event = payload as Record<string, unknown>;
  const fields = typeof event.e === 'string' ? TIME_FIELDS[event.e] : undefined;
  if (fields === undefined) return payload;
  const out: Record<string, unknown> = { ...event };
  for (const f of fields) if (typeof out[f] === 'number') out[f] = (out[f] as number) * 1000;
  if (event.e === 'kline' && typeof event.k === 'object' && event.k !== null) {
    const k = { ...(event.k as Record<string, unknown>) };
    for (const f of ['t', 'T']) if (typeof k[f] === 'number') k[f] = (k[f] as number) * 1000;
    out.k = k;
  }
  return out;
}
