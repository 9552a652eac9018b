// Prometheus metrics with prom-client, one registry per service process.
//
// The label rule: label values come from small, fixed sets (side, status, venue, symbol, strategy,
// reason code). A label never holds an id (client order id, trade id, trace id: one series per
// order would exhaust Prometheus) and never a secret. Label names ending in "id" and names that
// look like secrets are refused when the metric is made; values are the caller's duty.

import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';
import { TelemetryError, TelemetryErrorCode } from './errors.js';
import { isSecretKey } from './secrets.js';

export interface MetricsOptions {
  /** Added to every series as the `service` label. */
  service: string;
  /** Collect prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC); true by default. */
  defaultMetrics?: boolean;
}

type Config<C> = Omit<C, 'registers'>;

export interface Metrics {
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  /** A counter on this registry; the same name again returns the existing counter. */
  counter<L extends string = string>(config: Config<CounterConfiguration<L>>): Counter<L>;
  gauge<L extends string = string>(config: Config<GaugeConfiguration<L>>): Gauge<L>;
  histogram<L extends string = string>(config: Config<HistogramConfiguration<L>>): Histogram<L>;
}

/** Throws when a label name would carry an id or a secret. */
export function assertLabelNames(metric: string, labelNames: readonly string[] | undefined): void {
  for (const label of labelNames ?? []) {
    const normalised = label.toLowerCase().replace(/[-_]/g, '');
    if (normalised.endsWith('id') || isSecretKey(label)) {
      throw new TelemetryError(
        TelemetryErrorCode.FORBIDDEN_LABEL,
        `metric ${metric}: label "${label}" would carry an id or a secret; labels must be low-cardinality and public`,
        label,
      );
    }
  }
}

export function createMetrics(options: MetricsOptions): Metrics {
  if (typeof options.service !== 'string' || options.service.trim() === '') {
    throw new TelemetryError(
      TelemetryErrorCode.INVALID_OPTION,
      'createMetrics: `service` must be a non-empty string',
      options.service,
    );
  }
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  function existing<M>(name: string, type: abstract new (...args: never[]) => M): M | undefined {
    const found: Metric | undefined = registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (found instanceof type) return found;
    throw new TelemetryError(
      TelemetryErrorCode.METRIC_TYPE_CONFLICT,
      `metric ${name} is already registered as a different type`,
      name,
    );
  }

  return {
    registry,
    counter<L extends string = string>(config: Config<CounterConfiguration<L>>): Counter<L> {
      assertLabelNames(config.name, config.labelNames);
      return existing<Counter<L>>(config.name, Counter) ?? new Counter<L>({ ...config, registers: [registry] });
    },
    gauge<L extends string = string>(config: Config<GaugeConfiguration<L>>): Gauge<L> {
      assertLabelNames(config.name, config.labelNames);
      return existing<Gauge<L>>(config.name, Gauge) ?? new Gauge<L>({ ...config, registers: [registry] });
    },
    histogram<L extends string = string>(config: Config<HistogramConfiguration<L>>): Histogram<L> {
      assertLabelNames(config.name, config.labelNames);
      return existing<Histogram<L>>(config.name, Histogram) ?? new Histogram<L>({ ...config, registers: [registry] });
    },
  };
}
