import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { DeadLetter, OrderRequest } from '@bourse/contracts';
import { FUZZ_RUNS, assertPrototypeClean, hostileBytes, sampleOrderRequest } from '@bourse/contracts/testing';
import type { Registry } from 'prom-client';
import { decodePayload, payloadText } from './codec.js';
import { DeadLetterContract } from './dead-letter.js';
import { Collector, NATS_URL, counterValue, testBus } from './test-helpers.js';
import { removeTestNamespace, testSubjects } from './testing.js';
import type { Bus, Contract } from './types.js';

const OrderRequestContract: Contract<typeof OrderRequest> = { name: 'OrderRequest', schema: OrderRequest };
const encoder = new TextEncoder();
const valid = (n: number): Uint8Array =>
  encoder.encode(JSON.stringify({ ...sampleOrderRequest, clientOrderId: `bsm-fuzz-${String(n).padStart(6, '0')}` }));

// Near the server's 1 MiB max_payload: the dead letter escapes and wraps it, and must still be stored.
const NEAR_MAX_QUOTES = encoder.encode(JSON.stringify({ pad: '"'.repeat(500_000) }));
const NEAR_MAX_BINARY = Uint8Array.from({ length: 900_000 }, (_, i) => (i % 2 === 0 ? 0xff : 0x00));

describe('decodePayload under hostile bytes', () => {
  it('never throws; what it refuses becomes a valid dead letter naming the field', () => {
    fc.assert(
      fc.property(hostileBytes([sampleOrderRequest]), (data) => {
        const decoded = decodePayload(OrderRequestContract, data);
        assertPrototypeClean();
        if (decoded.ok) return;
        expect(decoded.issues.length).toBeGreaterThan(0);
        expect(['malformed_json', 'contract_violation']).toContain(decoded.reason);
        const letter = {
          v: 1,
          service: 'fuzz',
          subject: 'orders.request',
          reason: decoded.reason,
          issues: decoded.issues,
          ...payloadText(data),
          headers: {},
          receivedAt: 0,
        };
        expect(DeadLetter.safeParse(letter).success).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

const subjects = testSubjects();
let bus: Bus;
let registry: Registry;
let raw: NatsConnection;

beforeAll(async () => {
  ({ bus, registry } = await testBus(subjects, 'fuzz-bus'));
  await bus.ensureStreams();
  raw = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  await bus?.drain();
  await raw?.close();
  await removeTestNamespace(subjects, NATS_URL);
});

/** A fixed sample of hostile payloads (seeded, so a failure replays), the near-limit ones added. */
function hostileBatch(seed: number, n: number): Uint8Array[] {
  const sample = fc.sample(hostileBytes([sampleOrderRequest]), { seed, numRuns: n });
  // The server refuses anything past max_payload at the publisher; that never reaches a consumer.
  const deliverable = sample.filter((d) => d.byteLength < 1_000_000);
  return [...deliverable, NEAR_MAX_QUOTES, NEAR_MAX_BINARY];
}

const isInvalid = (d: Uint8Array): boolean => !decodePayload(OrderRequestContract, d).ok;

async function deadLetterTotal(service: string): Promise<number> {
  let total = 0;
  for (const reason of ['malformed_json', 'contract_violation'])
    total += await counterValue(registry, 'bourse_bus_dead_letters_total', { service, reason });
  return total;
}

describe('a core subscription under hostile messages', () => {
  it('dead-letters and counts every bad message, hands over every good one, and keeps consuming', async () => {
    const subject = subjects.orderRequest('BTCUSDT');
    const batch = hostileBatch(19, 40);
    const invalid = batch.filter(isInvalid).length;
    const handled = new Collector<string>();
    const letters = new Collector<DeadLetter>();
    const dlq = bus.subscribe(subjects.dlq('fuzz-bus'), DeadLetterContract, (l) => letters.push(l));
    const sub = bus.subscribe(subject, OrderRequestContract, (m) => handled.push(m.clientOrderId));
    await bus.flush();
    for (const data of batch) raw.publish(subject, data);
    raw.publish(subject, valid(1));
    await raw.flush();

    const got = await handled.until(batch.length - invalid + 1, 10_000);
    expect(got.at(-1)).toBe('bsm-fuzz-000001');
    const stored = await letters.until(invalid, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${letters.items.length} letters of ${invalid}, ${handled.items.length} handled`);
    });
    for (const l of stored) expect(l.issues.length).toBeGreaterThan(0);
    expect(await deadLetterTotal('fuzz-bus')).toBe(invalid);
    assertPrototypeClean();
    await sub.unsubscribe();
    await dlq.unsubscribe();
  });
});

describe('a durable consumer under hostile messages', () => {
  it('dead-letters and terminates every bad message, and consumes the good one after them', async () => {
    const subject = subjects.orderRequest('ETHUSDT');
    const batch = hostileBatch(2019, 40);
    const invalid = batch.filter(isInvalid).length;
    const handled = new Collector<string>();
    const letters = new Collector<DeadLetter>();
    const dlq = bus.subscribe(subjects.dlq('fuzz-durable'), DeadLetterContract, (l) => letters.push(l));
    await bus.flush();
    const handle = await bus.consume(
      {
        stream: 'ORDERS',
        durable: 'fuzz-durable',
        deliverFrom: 'new',
        maxDeliver: 2,
        ackWaitMs: 30_000,
        nakDelaysMs: [20],
        maxAckPending: 100,
      },
      OrderRequestContract,
      (m) => handled.push(m.clientOrderId),
      { service: 'fuzz-durable' },
    );
    const js = jetstream(raw);
    for (const data of batch) await js.publish(subject, data);
    await js.publish(subject, valid(2));

    const got = await handled.until(batch.length - invalid + 1, 10_000);
    expect(got.at(-1)).toBe('bsm-fuzz-000002');
    const stored = await letters.until(invalid, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${letters.items.length} letters of ${invalid}, ${handled.items.length} handled`);
    });
    expect(stored.some((l) => l.payloadTruncated === true)).toBe(true);
    expect(await deadLetterTotal('fuzz-durable')).toBe(invalid);
    await handle.stop();
    await dlq.unsubscribe();
  });
});
