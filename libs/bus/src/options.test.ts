import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSubjects } from '@bourse/contracts';
import { nakDelay } from './consume.js';
import { isBusError } from './errors.js';
import { natsReplicas, reconnectDelay, redactUrl, resolveBusOptions } from './options.js';
import { DURABLE_CONSUMERS } from './streams.js';

const policy = { baseMs: 250, maxMs: 10_000, jitterMs: 500 };
const base = {
  service: 'risk-gate',
  subjects: createSubjects('t_opts'),
  logger: pino({ level: 'silent' }),
  registry: new Registry(),
};

describe('reconnectDelay', () => {
  it('starts at the base delay, grows with the time spent disconnected, and stops at the cap', () => {
    const noJitter = () => 0;
    expect(reconnectDelay(0, policy, noJitter)).toBe(250);
    expect(reconnectDelay(1_000, policy, noJitter)).toBe(1_000);
    expect(reconnectDelay(4_000, policy, noJitter)).toBe(4_000);
    expect(reconnectDelay(60_000, policy, noJitter)).toBe(10_000);
  });

  it('adds up to jitterMs of random delay', () => {
    expect(reconnectDelay(0, policy, () => 0.5)).toBe(500);
    expect(reconnectDelay(60_000, policy, () => 0.999)).toBe(10_500);
  });
});

describe('resolveBusOptions', () => {
  it('fills in defaults and splits a comma-separated server list', () => {
    const r = resolveBusOptions({ ...base, servers: 'nats://a:4222, nats://b:4222' });
    expect(r.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(r.waitOnFirstConnect).toBe(false);
  });

  it('names the bad option', () => {
    const err = (() => {
      try {
        resolveBusOptions({ ...base, reconnectJitterMs: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(isBusError(err, 'BUS_INVALID_OPTION')).toBe(true);
    expect((err as { value: string }).value).toBe('reconnectJitterMs');
    expect(() => resolveBusOptions({ ...base, servers: ' , ' })).toThrow(/at least one NATS URL/);
    expect(() => resolveBusOptions({ ...base, reconnectBaseDelayMs: 5_000, reconnectMaxDelayMs: 1_000 })).toThrow(
      /reconnectMaxDelayMs/,
    );
  });
});

describe('redactUrl', () => {
  it('reads the stream and KV replica count from BOURSE_NATS_REPLICAS, 1 when unset', () => {
    expect(natsReplicas({})).toBe(1);
    expect(natsReplicas({ BOURSE_NATS_REPLICAS: ' ' })).toBe(1);
    expect(natsReplicas({ BOURSE_NATS_REPLICAS: '3' })).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) {
      expect(() => natsReplicas({ BOURSE_NATS_REPLICAS: bad }), bad).toThrow(/BOURSE_NATS_REPLICAS must be/);
    }
  });

  it('drops user info from a server URL', () => {
    expect(redactUrl('nats://trader:hunter2@10.0.0.1:4222')).toBe('nats://10.0.0.1:4222');
    expect(redactUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});

describe('nakDelay', () => {
  it('uses the delay of the attempt that failed and repeats the last one', () => {
    const spec = DURABLE_CONSUMERS.orderManagerRequests;
    expect(nakDelay(spec, 1)).toBe(1_000);
    expect(nakDelay(spec, 2)).toBe(5_000);
    expect(nakDelay(spec, 4)).toBe(30_000);
    expect(nakDelay(spec, 9)).toBe(30_000);
  });
});
