import { Counter, Gauge, type Registry } from 'prom-client';

// The gateway's Prometheus metrics. Labels come from small fixed sets: venue, the configured
// symbols, message kind, state, cause, result. Never an id, never a subject with a namespace.

export interface MarketDataMetrics {
  /** Messages published, by kind (quote, trade, book, bookdelta, status). */
  readonly messages: Counter<'venue' | 'kind'>;
  /** Venue events not published: contract-violation, unknown-instrument, wrong-venue. */
  readonly rejected: Counter<'venue' | 'reason'>;
  /** Publishes the bus refused (disconnected beyond its buffer, closed). */
  readonly publishErrors: Counter<'venue' | 'kind'>;
  readonly staleEpisodes: Counter<'venue' | 'symbol'>;
  /** Resets published, by cause (reconnect, gap). */
  readonly resets: Counter<'venue' | 'symbol' | 'cause'>;
  /** -1 starting, 0 live, 1 stale, 2 reset. */
  readonly feedState: Gauge<'venue' | 'symbol'>;
  /** Redis snapshot writes by result (ok, error, invalid). */
  readonly snapshotWrites: Counter<'venue' | 'result'>;
  /** Recorded frames by result (written, dropped). */
  readonly recorderFrames: Counter<'result'>;
  readonly recorderFiles: Counter<string>;
  readonly recorderErrors: Counter<string>;
  readonly recorderBufferedBytes: Gauge<string>;
}

export const FEED_STATE_VALUE = { starting: -1, live: 0, stale: 1, reset: 2 } as const;

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const found = registry.getSingleMetric(name);
  if (found instanceof Counter) return found as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  const found = registry.getSingleMetric(name);
  if (found instanceof Gauge) return found as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/** The gateway's metrics on `registry`; calling it again with the same registry returns the same metrics. */
export function createMarketDataMetrics(registry: Registry): MarketDataMetrics {
  return {
    messages: counter(registry, 'bourse_md_messages_total', 'Market-data messages published', ['venue', 'kind']),
    rejected: counter(registry, 'bourse_md_rejected_total', 'Venue events not published, by reason', [
      'venue',
      'reason',
    ]),
    publishErrors: counter(registry, 'bourse_md_publish_errors_total', 'Publishes the bus refused', ['venue', 'kind']),
    staleEpisodes: counter(registry, 'bourse_md_stale_episodes_total', 'Stale episodes (no data within the interval)', [
      'venue',
      'symbol',
    ]),
    resets: counter(registry, 'bourse_md_resets_total', 'FeedStatus reset published, by cause', [
      'venue',
      'symbol',
      'cause',
    ]),
    feedState: gauge(registry, 'bourse_md_feed_state', 'Feed state: -1 starting, 0 live, 1 stale, 2 reset', [
      'venue',
      'symbol',
    ]),
    snapshotWrites: counter(registry, 'bourse_md_snapshot_writes_total', 'Redis snapshot writes by result', [
      'venue',
      'result',
    ]),
    recorderFrames: counter(
      registry,
      'bourse_md_recorder_frames_total',
      'Recorded frames by result (written, dropped)',
      ['result'],
    ),
    recorderFiles: counter(registry, 'bourse_md_recorder_files_total', 'Recording files completed', []),
    recorderErrors: counter(registry, 'bourse_md_recorder_errors_total', 'Recording write or rotation failures', []),
    recorderBufferedBytes: gauge(
      registry,
      'bourse_md_recorder_buffered_bytes',
      'Bytes waiting for the recorder to write them',
      [],
    ),
  };
}
