import { BusError, BusErrorCode } from './errors.js';
import type { BusOptions, Clock } from './types.js';

export const DEFAULT_SERVERS = 'nats://127.0.0.1:4222';
export const DEFAULT_RECONNECT_BASE_DELAY_MS = 250;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 10_000;
export const DEFAULT_RECONNECT_JITTER_MS = 500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

export const systemClock: Clock = { now: () => Date.now() };

/**
 * How many NATS servers hold each stream and KV bucket: 1 on a single server (the default), 3 on a
 * three-node JetStream cluster, so losing one server loses no intent, order or fill. Read from this
 * variable when the code does not set `streams.replicas` itself; every service uses the same value.
 */
export const NATS_REPLICAS_ENV = 'BOURSE_NATS_REPLICAS';
const MAX_REPLICAS = 5; // JetStream's own limit

/** The replica count `NATS_REPLICAS_ENV` asks for; 1 when it is unset or empty. */
export function natsReplicas(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[NATS_REPLICAS_ENV]?.trim();
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      NATS_REPLICAS_ENV,
      `${NATS_REPLICAS_ENV} must be a whole number from 1 to ${MAX_REPLICAS} (JetStream's limit), got "${raw}"`,
    );
  }
  return n;
}

export interface ResolvedBusOptions {
  readonly servers: string[];
  readonly clock: Clock;
  readonly reconnectBaseDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly reconnectJitterMs: number;
  readonly connectTimeoutMs: number;
  readonly waitOnFirstConnect: boolean;
  readonly requestTimeoutMs: number;
}

const SERVICE = /^[A-Za-z0-9_-]+$/;

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new BusError(BusErrorCode.InvalidOption, name, `${name} must be a finite number >= 0, got ${String(v)}`);
  }
  return v;
}

/** Checks the options once, up front, so a misconfigured service fails at start with a clear message. */
export function resolveBusOptions(options: BusOptions): ResolvedBusOptions {
  if (!SERVICE.test(options.service)) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      'service',
      `service "${options.service}" must be letters, digits, "_" or "-" (it names the connection and dlq.<service>)`,
    );
  }
  const raw = options.servers ?? DEFAULT_SERVERS;
  const servers = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((s) => s.trim()).filter((s) => s !== '');
  if (servers.length === 0)
    throw new BusError(BusErrorCode.InvalidOption, 'servers', 'servers must name at least one NATS URL');
  const reconnectBaseDelayMs = positive(
    'reconnectBaseDelayMs',
    options.reconnectBaseDelayMs,
    DEFAULT_RECONNECT_BASE_DELAY_MS,
  );
  const reconnectMaxDelayMs = positive(
    'reconnectMaxDelayMs',
    options.reconnectMaxDelayMs,
    DEFAULT_RECONNECT_MAX_DELAY_MS,
  );
  if (reconnectMaxDelayMs < reconnectBaseDelayMs) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      'reconnectMaxDelayMs',
      'reconnectMaxDelayMs must be >= reconnectBaseDelayMs',
    );
  }
  return {
    servers,
    clock: options.clock ?? systemClock,
    reconnectBaseDelayMs,
    reconnectMaxDelayMs,
    reconnectJitterMs: positive('reconnectJitterMs', options.reconnectJitterMs, DEFAULT_RECONNECT_JITTER_MS),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
  };
}

/**
 * Delay before the next reconnect attempt. nats.js asks for a delay on every turn of its dial loop
 * without telling the attempt number, so the delay grows with the time spent disconnected instead:
 * waiting about as long as we have already been away doubles the gap at each attempt, up to the cap.
 */
export function reconnectDelay(
  disconnectedForMs: number,
  policy: { baseMs: number; maxMs: number; jitterMs: number },
  random: () => number,
): number {
  const backoff = Math.min(policy.maxMs, Math.max(policy.baseMs, disconnectedForMs));
  return Math.round(backoff + random() * policy.jitterMs);
}

/** Drops the user-info part of a URL (`nats://user:pass@host` → `nats://host`) before it reaches a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
