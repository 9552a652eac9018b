import { Counter, Gauge, Registry } from 'prom-client';

// The adapter's metrics. A registry is passed in (the service's own), so two adapters in one
// test process never collide. Labels never carry keys, ids or prices.

export interface BinanceMetrics {
  readonly registry: Registry;
  readonly reconnects: Counter<'venue' | 'connection'>;
  readonly connectionState: Gauge<'venue' | 'connection'>;
  readonly bookGaps: Counter<'venue' | 'symbol'>;
  readonly bookResyncs: Counter<'venue' | 'symbol'>;
  readonly requests: Counter<'venue' | 'operation' | 'outcome'>;
  readonly rateLimitWaits: Counter<'venue' | 'reason'>;
  /** Share (0–1) of each rate budget the venue last reported as used; `bucket`: weight:1m, orders:10s, … */
  readonly rateLimitUsed: Gauge<'venue' | 'bucket'>;
  readonly unknownOrders: Counter<'venue' | 'resolution'>;
  readonly droppedFrames: Counter<'venue' | 'connection' | 'reason'>;
  readonly clockOffset: Gauge<'venue'>;
  readonly rateBudgetFallbacks: Counter<'venue'>;
}

/** 0 connecting, 1 open, 2 reconnecting, 3 closed. */
export const CONNECTION_STATE_VALUE = { connecting: 0, open: 1, reconnecting: 2, closed: 3 } as const;

export function createBinanceMetrics(registry: Registry = new Registry()): BinanceMetrics {
  return {
    registry,
    reconnects: new Counter({
      name: 'bourse_venue_ws_reconnects_total',
      help: 'WebSocket reconnects (unplanned and planned rotations)',
      labelNames: ['venue', 'connection'],
      registers: [registry],
    }),
    connectionState: new Gauge({
      name: 'bourse_venue_ws_state',
      help: 'WebSocket state: 0 connecting, 1 open, 2 reconnecting, 3 closed',
      labelNames: ['venue', 'connection'],
      registers: [registry],
    }),
    bookGaps: new Counter({
      name: 'bourse_venue_book_gaps_total',
      help: 'Sequence gaps detected in diff depth streams',
      labelNames: ['venue', 'symbol'],
      registers: [registry],
    }),
    bookResyncs: new Counter({
      name: 'bourse_venue_book_resyncs_total',
      help: 'Local order books rebuilt from a snapshot',
      labelNames: ['venue', 'symbol'],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'bourse_venue_requests_total',
      help: 'Venue requests by operation and outcome',
      labelNames: ['venue', 'operation', 'outcome'],
      registers: [registry],
    }),
    rateLimitWaits: new Counter({
      name: 'bourse_venue_rate_limit_waits_total',
      help: 'Times a request waited for rate budget or a 429 backoff',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    }),
    rateLimitUsed: new Gauge({
      name: 'bourse_venue_rate_limit_used_ratio',
      help: 'Share of each rate budget (request weight, order count per interval) the venue last reported as used',
      labelNames: ['venue', 'bucket'],
      registers: [registry],
    }),
    unknownOrders: new Counter({
      name: 'bourse_venue_unknown_order_outcomes_total',
      help: 'Order placements whose outcome was unknown, by how the query resolved them',
      labelNames: ['venue', 'resolution'],
      registers: [registry],
    }),
    droppedFrames: new Counter({
      name: 'bourse_venue_dropped_frames_total',
      help: 'Frames dropped as malformed, duplicate or out of order',
      labelNames: ['venue', 'connection', 'reason'],
      registers: [registry],
    }),
    clockOffset: new Gauge({
      name: 'bourse_venue_clock_offset_ms',
      help: 'Measured venue clock minus local clock',
      labelNames: ['venue'],
      registers: [registry],
    }),
    rateBudgetFallbacks: new Counter({
      name: 'bourse_venue_rate_budget_fallbacks_total',
      help: 'Requests budgeted from the local fallback share because the shared budget (Redis) did not answer',
      labelNames: ['venue'],
      registers: [registry],
    }),
  };
}
