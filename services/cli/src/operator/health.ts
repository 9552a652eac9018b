// Each service's /healthz and /readyz on the ports the platform config gives them, and the
// simulator's /api/v3/ping when the venue is the sim. Bounded: a service that does not answer
// within the timeout is "down", never a hang.
import { OPS_SERVICES } from '../platform/platform-config.js';
import { opsUrl, venueEndpoints } from '../platform/service-env.js';
import type { OperatorContext } from './context.js';
import { describe } from './format.js';

export interface ServiceHealth {
  readonly service: string;
  readonly url: string;
  /** `up`: /healthz 200; `unhealthy`: it answered otherwise; `down`: no answer. */
  readonly health: 'up' | 'unhealthy' | 'down';
  /** Null when not asked (down, or no /readyz). */
  readonly ready: boolean | null;
  readonly reasons: readonly string[];
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: unknown } | { error: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { error: cause ?? describe(err) };
  }
}

function reasonsOf(body: unknown): string[] {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { reasons?: unknown }).reasons)) {
    return (body as { reasons: unknown[] }).reasons.map(String);
  }
  return [];
}

export async function checkService(service: string, base: string, timeoutMs: number): Promise<ServiceHealth> {
  const health = await get(`${base}/healthz`, timeoutMs);
  if ('error' in health) return { service, url: base, health: 'down', ready: null, reasons: [health.error] };
  if (health.status !== 200) {
    return {
      service,
      url: base,
      health: 'unhealthy',
      ready: null,
      reasons: [`/healthz ${health.status}`, ...reasonsOf(health.body)],
    };
  }
  const ready = await get(`${base}/readyz`, timeoutMs);
  if ('error' in ready) return { service, url: base, health: 'up', ready: false, reasons: [`/readyz: ${ready.error}`] };
  return { service, url: base, health: 'up', ready: ready.status === 200, reasons: reasonsOf(ready.body) };
}

async function checkSim(restUrl: string, timeoutMs: number): Promise<ServiceHealth> {
  const ping = await get(`${restUrl}/api/v3/ping`, timeoutMs);
  if ('error' in ping)
    return { service: 'exchange-sim', url: restUrl, health: 'down', ready: null, reasons: [ping.error] };
  const ok = ping.status === 200;
  return {
    service: 'exchange-sim',
    url: restUrl,
    health: ok ? 'up' : 'unhealthy',
    ready: ok,
    reasons: ok ? [] : [`ping ${ping.status}`],
  };
}

export async function checkAll(ctx: OperatorContext, timeoutMs: number): Promise<ServiceHealth[]> {
  const checks = OPS_SERVICES.map((s) => checkService(s, opsUrl(ctx.config, s), timeoutMs));
  if (ctx.config.venue.target === 'sim') checks.unshift(checkSim(venueEndpoints(ctx.config).restUrl, timeoutMs));
  return Promise.all(checks);
}
