import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect as tcpConnect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { connectBus } from './connect.js';
import { isBusError } from './errors.js';
import { resolveBusOptions } from './options.js';
import { Collector, NATS_URL, PingContract, counterValue, testBus, within } from './test-helpers.js';
import type { Ping } from './test-helpers.js';
import { removeTestNamespace, TEST_STREAMS, testSubjects } from './testing.js';
import type { Bus, BusStatusType } from './types.js';

const subjects = testSubjects();

/** A loopback TCP proxy to NATS whose connections the test can cut, to force a real disconnect. */
class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  constructor(target: URL) {
    this.#server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 4222), target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }
  listen(): Promise<string> {
    return new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () =>
        resolve(`nats://127.0.0.1:${(this.#server.address() as AddressInfo).port}`),
      ),
    );
  }
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

let main: Bus;
const proxy = new CuttableProxy(new URL(NATS_URL));
let proxyUrl: string;

beforeAll(async () => {
  proxyUrl = await proxy.listen();
  ({ bus: main } = await testBus(subjects, 'connect-main'));
  await main.ensureStreams();
});

afterAll(async () => {
  await main?.drain();
  await proxy.close();
  await removeTestNamespace(subjects, NATS_URL);
});

describe('connectBus', () => {
  it('fails at once with the server named and the credentials left out', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await connectBus({
      service: 'nowhere',
      subjects,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      servers: `nats://trader:hunter2@127.0.0.1:${port}`,
      connectTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(isBusError(err, 'BUS_CONNECT_FAILED')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('refuses a bad BOURSE_NATS_REPLICAS by name before connecting', async () => {
    const err = await connectBus({
      service: 'replicas-bad',
      subjects,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      servers: NATS_URL,
      env: { BOURSE_NATS_REPLICAS: 'three' },
    }).catch((e: unknown) => e);
    expect(isBusError(err, 'BUS_INVALID_OPTION')).toBe(true);
    expect((err as Error).message).toContain('BOURSE_NATS_REPLICAS must be a whole number from 1 to 5');
    expect((err as Error).message).toContain('"three"');
  });

  it('asks JetStream for the replica count BOURSE_NATS_REPLICAS sets: one server cannot hold three', async () => {
    const own = testSubjects();
    const bus = await connectBus({
      service: 'replicas-three',
      subjects: own,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      servers: NATS_URL,
      streams: TEST_STREAMS,
      env: { BOURSE_NATS_REPLICAS: '3' },
    });
    try {
      const err = await bus.ensureStreams().catch((e: unknown) => e);
      expect(String((err as Error)?.message ?? err)).toMatch(/replicas/i);
    } finally {
      await bus.drain();
      await removeTestNamespace(own, NATS_URL);
    }
  });

  it('rejects a service name that cannot be a subject token', () => {
    expect(() =>
      resolveBusOptions({
        service: 'risk.gate',
        subjects,
        logger: pino({ level: 'silent' }),
        registry: new Registry(),
      }),
    ).toThrow(/service "risk.gate"/);
  });

  it('reconnects after the connection drops, counts the status events, and the durable consumer carries on', async () => {
    const { bus, registry, lines } = await testBus(subjects, 'connect-proxied', { servers: proxyUrl });
    const statuses = new Collector<BusStatusType>();
    const reconnected = new Promise<void>((resolve) =>
      bus.onStatus((type) => {
        statuses.push(type);
        if (type === 'reconnect') resolve();
      }),
    );
    const seen = new Collector<string>();
    const handle = await bus.consume(
      {
        stream: 'EXEC',
        durable: 'through-proxy',
        deliverFrom: 'new',
        maxDeliver: 3,
        ackWaitMs: 30_000,
        nakDelaysMs: [50],
        maxAckPending: 100,
      },
      PingContract,
      (m: Ping) => seen.push(m.id),
    );
    const subject = subjects.exec.status('ETHUSDT');
    for (const id of ['s1', 's2', 's3'])
      await main.publishDurable(subject, PingContract, { version: 1, id, qty: '1' }, { msgId: id });
    expect(await seen.until(3)).toEqual(['s1', 's2', 's3']);

    proxy.cut();
    await within(reconnected, 10_000, 'reconnect');
    expect(bus.isConnected()).toBe(true);
    expect(statuses.items).toContain('disconnect');
    expect(
      await counterValue(registry, 'bourse_bus_status_events_total', { type: 'disconnect' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await counterValue(registry, 'bourse_bus_status_events_total', { type: 'reconnect' }),
    ).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.msg === 'disconnected from NATS; reconnecting')).toBe(true);

    for (const id of ['s4', 's5'])
      await main.publishDurable(subject, PingContract, { version: 1, id, qty: '1' }, { msgId: id });
    expect(await seen.until(5, 15_000)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    await handle.stop();
    expect(seen.items).toHaveLength(5);
    await bus.drain();
  });
});
