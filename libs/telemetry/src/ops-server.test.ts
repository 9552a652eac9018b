import { afterEach, describe, expect, it } from 'vitest';
import { isTelemetryError } from './errors.js';
import { createMetrics } from './metrics.js';
import { startOpsServer, type OpsServer } from './ops-server.js';
import { ReadinessGate } from './readiness.js';

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startOpsServer', () => {
  it('serves Prometheus text on /metrics with default process metrics and custom counters', async () => {
    const metrics = createMetrics({ service: 'risk-gate' });
    metrics
      .counter({ name: 'bourse_intents_rejected_total', help: 'Rejected intents', labelNames: ['reason'] })
      .inc({ reason: 'limit' });
    server = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => ({ ok: true }) });
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(body).toMatch(/^process_resident_memory_bytes\{service="risk-gate"\} \d+/m);
    expect(body).toContain('bourse_intents_rejected_total{reason="limit",service="risk-gate"} 1');
  });

  it('answers /readyz 503 with reasons until every blocker clears, then 200; /healthz stays 200', async () => {
    const gate = new ReadinessGate({ store: 'loading persisted state', reconcile: 'not reconciled yet' });
    const metrics = createMetrics({ service: 'order-manager', defaultMetrics: false });
    server = await startOpsServer({ port: 0, registry: metrics.registry, ready: gate.check });

    let res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      reasons: ['store: loading persisted state', 'reconcile: not reconciled yet'],
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    gate.unblock('store');
    res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reasons: ['reconcile: not reconciled yet'] });

    gate.unblock('reconcile');
    res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', reasons: [] });
  });

  it('treats a throwing check as not ready and masks secrets in its reason', async () => {
    const metrics = createMetrics({ service: 'svc', defaultMetrics: false });
    server = await startOpsServer({
      port: 0,
      registry: metrics.registry,
      ready: () => {
        throw new Error('cannot reach postgres://app:hunter22@db/bourse');
      },
      health: async () => ({ ok: false, reasons: ['event loop stalled'] }),
    });
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(body).not.toContain('hunter22');
    expect(body).toContain('postgres://app:***@db/bourse');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const metrics = createMetrics({ service: 'svc', defaultMetrics: false });
    server = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => ({ ok: true }) });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects an invalid port and reports a port already taken', async () => {
    const metrics = createMetrics({ service: 'svc', defaultMetrics: false });
    await expect(
      startOpsServer({ port: 70000, registry: metrics.registry, ready: () => ({ ok: true }) }),
    ).rejects.toThrow(/port/);
    server = await startOpsServer({ port: 0, registry: metrics.registry, ready: () => ({ ok: true }) });
    const taken = startOpsServer({ port: server.port, registry: metrics.registry, ready: () => ({ ok: true }) });
    await expect(taken).rejects.toSatisfy((err) => isTelemetryError(err, 'LISTEN_FAILED'));
  });
});
