import { describe, expect, it } from 'vitest';
import { isTelemetryError } from './errors.js';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('collects default process metrics and labels every series with the service', async () => {
    const metrics = createMetrics({ service: 'market-data' });
    const orders = metrics.counter({
      name: 'bourse_orders_submitted_total',
      help: 'Orders sent',
      labelNames: ['side'],
    });
    orders.inc({ side: 'BUY' }, 2);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="market-data"\} \d/m);
    expect(text).toContain('bourse_orders_submitted_total{side="BUY",service="market-data"} 2');
  });

  it('returns the existing metric for a repeated name and refuses a type clash', () => {
    const metrics = createMetrics({ service: 'svc', defaultMetrics: false });
    const a = metrics.gauge({ name: 'bourse_open_orders', help: 'Open orders' });
    expect(metrics.gauge({ name: 'bourse_open_orders', help: 'Open orders' })).toBe(a);
    expect(() => metrics.counter({ name: 'bourse_open_orders', help: 'x' })).toThrow(/different type/);
  });

  it('refuses label names that would carry ids or secrets', () => {
    const metrics = createMetrics({ service: 'svc', defaultMetrics: false });
    for (const label of ['clientOrderId', 'trace_id', 'apiKey', 'signature']) {
      try {
        metrics.histogram({ name: `bourse_latency_${label.toLowerCase()}`, help: 'x', labelNames: [label] });
        expect.unreachable(`label ${label} should be refused`);
      } catch (err) {
        expect(isTelemetryError(err, 'FORBIDDEN_LABEL')).toBe(true);
        expect((err as Error).message).toContain(label);
      }
    }
    expect(() =>
      metrics.histogram({ name: 'bourse_latency_seconds', help: 'x', labelNames: ['venue', 'symbol'] }),
    ).not.toThrow();
  });
});
