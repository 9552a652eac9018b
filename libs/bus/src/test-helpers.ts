// Shared by this package's tests only (not exported).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { DecimalString } from '@bourse/contracts';
import type { Subjects } from '@bourse/contracts';
import { connectBus } from './connect.js';
import { TEST_STREAMS } from './testing.js';
import type { Bus, Contract } from './types.js';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export const Ping = z.object({ version: z.literal(1), id: z.string().min(1), qty: DecimalString });
export type Ping = z.infer<typeof Ping>;
export const PingContract: Contract<typeof Ping> = { name: 'Ping', schema: Ping };

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose JSON lines the test can read back. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export async function testBus(
  subjects: Subjects,
  service: string,
  extra: { servers?: string; registry?: Registry } = {},
): Promise<{ bus: Bus; registry: Registry; lines: LogLine[] }> {
  const { logger, lines } = captureLogger();
  const registry = extra.registry ?? new Registry();
  const bus = await connectBus({
    service,
    subjects,
    logger,
    registry,
    servers: extra.servers ?? NATS_URL,
    streams: TEST_STREAMS,
    reconnectBaseDelayMs: 50,
    reconnectMaxDelayMs: 200,
    reconnectJitterMs: 20,
  });
  return { bus, registry, lines };
}

/** Rejects with a message naming what was awaited when `ms` pass first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Collects values and resolves `until(n)` once n have arrived. */
export class Collector<T> {
  readonly items: T[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.items.length >= w.n) w.resolve();
      return this.items.length < w.n;
    });
  }

  until(n: number, ms = 10_000): Promise<T[]> {
    if (this.items.length >= n) return Promise.resolve(this.items.slice(0, n));
    const p = new Promise<void>((resolve) => this.#waiters.push({ n, resolve }));
    return within(p, ms, `${n} items (have ${this.items.length})`).then(() => this.items.slice(0, n));
  }
}

export async function counterValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  const found = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value ?? 0;
}
