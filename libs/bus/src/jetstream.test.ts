import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { DeadLetter } from '@bourse/contracts';
import { DeadLetterContract, DeadLetterHeaders } from './dead-letter.js';
import { DURABLE_CONSUMERS, STREAM_LIMITS, ensureConsumer, streamConfigs } from './streams.js';
import { Collector, NATS_URL, PingContract, counterValue, testBus } from './test-helpers.js';
import type { LogLine, Ping } from './test-helpers.js';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from './testing.js';
import type { Bus, DurableConsumerSpec, DurableMessageMeta } from './types.js';
import type { Registry } from 'prom-client';

const subjects = testSubjects();
let bus: Bus;
let registry: Registry;
let lines: LogLine[];
let raw: NatsConnection;

const quick = (
  durable: string,
  stream: DurableConsumerSpec['stream'],
  extra: Partial<DurableConsumerSpec> = {},
): DurableConsumerSpec => ({
  stream,
  durable,
  deliverFrom: 'new',
  maxDeliver: 3,
  ackWaitMs: 30_000,
  nakDelaysMs: [50, 100],
  maxAckPending: 100,
  ...extra,
});

const ping = (id: string): Ping => ({ version: 1, id, qty: '1.25' });

/** Reads dead letters from the DLQ stream itself, proving the stream captured them. */
interface Letter {
  letter: DeadLetter;
  meta: DurableMessageMeta;
}

async function deadLetters(durable: string): Promise<{ letters: Collector<Letter>; stop: () => Promise<void> }> {
  const letters = new Collector<Letter>();
  const handle = await bus.consume(quick(durable, 'DLQ', { deliverFrom: 'all' }), DeadLetterContract, (letter, meta) =>
    letters.push({ letter, meta }),
  );
  return { letters, stop: handle.stop };
}

/** The first dead letter of `subject` (the DLQ reader also replays other tests' letters). */
async function letterFor(letters: Collector<Letter>, subject: string): Promise<Letter> {
  for (let n = 1; ; n++) {
    const items = await letters.until(n);
    const found = items.find((l) => l.letter.subject === subject);
    if (found) return found;
  }
}

beforeAll(async () => {
  ({ bus, registry, lines } = await testBus(subjects, 'js-test'));
  await bus.ensureStreams();
  raw = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  await bus?.drain();
  await raw?.close();
  await removeTestNamespace(subjects, NATS_URL);
});

describe('streams', () => {
  it('ensureStreams is idempotent and applies the declared policy', async () => {
    await bus.ensureStreams();
    await bus.ensureStreams();
    const jsm = await jetstreamManager(raw);
    const exec = await jsm.streams.info(subjects.streams.EXEC);
    const expected = streamConfigs(subjects, TEST_STREAMS).EXEC;
    expect(exec.config.subjects).toEqual(subjects.streamSubjects.EXEC);
    expect(exec.config.retention).toBe('limits');
    expect(exec.config.storage).toBe('file');
    expect(exec.config.discard).toBe('new');
    expect(exec.config.max_age).toBe(expected.max_age);
    expect(exec.config.duplicate_window).toBe(expected.duplicate_window);
    expect(exec.config.max_age).toBe(STREAM_LIMITS.EXEC.maxAgeMs * 1_000_000);
    const dlq = await jsm.streams.info(subjects.streams.DLQ);
    expect(dlq.config.subjects).toEqual(subjects.streamSubjects.DLQ);
  });
});

describe('durable publish', () => {
  it('drops a second publish with the same message id and says so', async () => {
    const subject = subjects.orderRequest('BTCUSDT');
    const first = await bus.publishDurable(subject, PingContract, ping('dup'), { msgId: 'coid-dup-1' });
    const again = await bus.publishDurable(subject, PingContract, ping('dup'), { msgId: 'coid-dup-1' });
    const other = await bus.publishDurable(subject, PingContract, ping('dup'), { msgId: 'coid-dup-2' });
    expect(first.duplicate).toBe(false);
    expect(first.stream).toBe(subjects.streams.ORDERS);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    expect(other.duplicate).toBe(false);
    expect(other.seq).toBe(first.seq + 1);
  });
});

describe('durable consume', () => {
  it('delivers valid messages once, acked, with their delivery details', async () => {
    const got = new Collector<{ msg: Ping; meta: DurableMessageMeta }>();
    const spec = quick('roundtrip', 'INTENTS');
    const handle = await bus.consume(spec, PingContract, (msg, meta) => got.push({ msg, meta }));
    await bus.publishDurable(subjects.intent('s1', 'BTCUSDT'), PingContract, ping('i1'), { msgId: 'i1' });
    const [item] = await got.until(1);
    expect(item?.msg).toEqual(ping('i1'));
    expect(item?.meta.msgId).toBe('i1');
    expect(item?.meta.deliveryCount).toBe(1);
    expect(item?.meta.stream).toBe(subjects.streams.INTENTS);
    await handle.stop();
    const jsm = await jetstreamManager(raw);
    const info = await jsm.consumers.info(subjects.streams.INTENTS, 'roundtrip');
    expect(info.num_ack_pending).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
  });

  it('dead-letters an invalid message with the reason, terminates it, and handles the next one', async () => {
    const dlq = await deadLetters('dlq-reader-invalid');
    const good = new Collector<string>();
    const handle = await bus.consume(quick('validator', 'RISK'), PingContract, (m) => good.push(m.id), {
      service: 'risk-test',
    });
    const before = await counterValue(registry, 'bourse_bus_dead_letters_total', {
      service: 'risk-test',
      reason: 'contract_violation',
    });

    const js = jetstream(raw);
    const h = natsHeaders();
    h.set('X-Origin', 'raw-js');
    h.set('X-Api-Key', 'must-not-leak');
    await js.publish(subjects.riskDecision('s1'), JSON.stringify({ version: 1, id: 'bad', qty: '1e5' }), {
      headers: h,
      msgID: 'bad-1',
    });
    await bus.publishDurable(subjects.riskDecision('s1'), PingContract, ping('good'), { msgId: 'good-1' });

    expect(await good.until(1)).toEqual(['good']);
    const { letter, meta } = await letterFor(dlq.letters, subjects.riskDecision('s1'));
    expect(letter.reason).toBe('contract_violation');
    expect(letter.service).toBe('risk-test');
    expect(letter.issues.map((i) => i.path)).toEqual(['qty']);
    expect(meta.subject).toBe(subjects.dlq('risk-test'));
    expect(meta.headers[DeadLetterHeaders.Stream]).toBe(subjects.streams.RISK);
    expect(meta.headers[DeadLetterHeaders.DeliveryCount]).toBe('1');
    expect(meta.headers[DeadLetterHeaders.Contract]).toBe('Ping');
    expect(letter.headers['X-Origin']).toEqual(['raw-js']);
    expect(letter.headers['Nats-Msg-Id']).toEqual(['bad-1']);
    expect(letter.headers['X-Api-Key']).toBeUndefined();
    expect(JSON.parse(letter.payload)).toEqual({ version: 1, id: 'bad', qty: '1e5' });
    const after = await counterValue(registry, 'bourse_bus_dead_letters_total', {
      service: 'risk-test',
      reason: 'contract_violation',
    });
    expect(after).toBe(before + 1);
    expect(lines.some((l) => l.msg === 'message dead-lettered' && l.subject === subjects.riskDecision('s1'))).toBe(
      true,
    );

    await handle.stop();
    const jsm = await jetstreamManager(raw);
    const info = await jsm.consumers.info(subjects.streams.RISK, 'validator');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    await dlq.stop();
  });

  it('redelivers after a handler failure, then dead-letters at max-deliver', async () => {
    const dlq = await deadLetters('dlq-reader-failing');
    const attempts = new Collector<number>();
    const ok = new Collector<string>();
    const handle = await bus.consume(quick('flaky', 'RECON', { maxDeliver: 3 }), PingContract, (m, meta) => {
      if (m.id === 'poison') {
        attempts.push(meta.deliveryCount);
        throw new Error(`cannot apply ${m.id}`);
      }
      ok.push(m.id);
    });
    await bus.publishDurable(subjects.reconReport(), PingContract, ping('poison'), { msgId: 'poison' });

    expect(await attempts.until(3)).toEqual([1, 2, 3]);
    const { letter, meta } = await letterFor(dlq.letters, subjects.reconReport());
    expect(letter.reason).toBe('handler_failed');
    expect(meta.headers[DeadLetterHeaders.DeliveryCount]).toBe('3');
    expect(letter.issues[0]?.message).toContain('cannot apply poison');
    expect(letter.service).toBe('js-test');
    expect(JSON.parse(letter.payload)).toEqual(ping('poison'));
    expect(
      lines.filter(
        (l) => l.msg === 'handler failed; message will be redelivered' && l.subject === subjects.reconReport(),
      ),
    ).toHaveLength(2);

    // The consumer carries on with the next message and never sees the poison again.
    await bus.publishDurable(subjects.reconReport(), PingContract, ping('next'), { msgId: 'next' });
    expect(await ok.until(1)).toEqual(['next']);
    expect(attempts.items).toHaveLength(3);
    await handle.stop();
    await dlq.stop();
  });

  it('resumes where it stopped: a new connection with the same durable gets exactly the rest', async () => {
    const spec = quick('resumer', 'EXEC');
    const subject = subjects.exec.fill('BTCUSDT');
    const first = await testBus(subjects, 'js-resume-1');
    const seen1 = new Collector<string>();
    const handle1 = await first.bus.consume(spec, PingContract, (m) => seen1.push(m.id));
    for (let i = 1; i <= 5; i++) await bus.publishDurable(subject, PingContract, ping(`f${i}`), { msgId: `f${i}` });
    expect(await seen1.until(5)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    await handle1.stop();
    await first.bus.drain();

    for (let i = 6; i <= 9; i++) await bus.publishDurable(subject, PingContract, ping(`f${i}`), { msgId: `f${i}` });

    const second = await testBus(subjects, 'js-resume-2');
    const seen2 = new Collector<string>();
    const handle2 = await second.bus.consume(spec, PingContract, (m) => seen2.push(m.id));
    expect(await seen2.until(4)).toEqual(['f6', 'f7', 'f8', 'f9']);
    await handle2.stop();
    const jsm = await jetstreamManager(raw);
    const info = await jsm.consumers.info(subjects.streams.EXEC, 'resumer');
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect(seen1.items).toHaveLength(5);
    expect(seen2.items).toHaveLength(4);
    await second.bus.drain();
  });

  it('hands what a dead order manager held to its successor after a 2 s ack wait, and held nothing else', async () => {
    const spec = DURABLE_CONSUMERS.orderManagerRequests;
    const jsm = await jetstreamManager(raw);
    // A durable made before these settings (30 s, 1000 in flight) is brought to them on start.
    await ensureConsumer(jsm, subjects, { ...spec, ackWaitMs: 30_000, maxAckPending: 1_000 });
    await ensureConsumer(jsm, subjects, spec);
    const subject = subjects.orderRequest('ETHUSDT');
    for (const id of ['r1', 'r2'])
      await bus.publishDurable(subject, PingContract, ping(id), { msgId: `handover-${id}` });

    // The predecessor pulls as much as it may, then dies without acking (a kill -9: no nak, no goodbye).
    const doomed = await connect({ servers: NATS_URL });
    const pulled: string[] = [];
    const batch = await (
      await jetstream(doomed).consumers.get(subjects.streams.ORDERS, spec.durable)
    ).fetch({ max_messages: 10, expires: 1_000 });
    for await (const m of batch) pulled.push(m.json<Ping>().id);
    await doomed.close();
    expect(pulled).toEqual(['r1']); // max_ack_pending 1: nothing else sat in the dead process's buffer

    const got = new Collector<{ id: string; deliveryCount: number }>();
    const successor = await testBus(subjects, 'js-handover');
    const handle = await successor.bus.consume(spec, PingContract, (m, meta) =>
      got.push({ id: m.id, deliveryCount: meta.deliveryCount }),
    );
    // Well inside the old 30 s ack wait: the wait for both is bounded by 10 s.
    expect(await got.until(2)).toEqual([
      { id: 'r1', deliveryCount: 2 },
      { id: 'r2', deliveryCount: 1 },
    ]);
    const info = await jsm.consumers.info(subjects.streams.ORDERS, spec.durable);
    expect(info.config.ack_wait).toBe(spec.ackWaitMs * 1_000_000);
    expect(info.config.max_ack_pending).toBe(1);
    await handle.stop();
    await successor.bus.drain();
  });

  it("keeps a slow live handler's message with in-progress acks: a second consumer never gets it", async () => {
    const spec = quick('slow-worker', 'ORDERS', { ackWaitMs: 600, inProgressEveryMs: 150, maxAckPending: 1 });
    const deliveries: string[] = [];
    const done = new Collector<string>();
    // Two live processes on one durable (a successor starting while its predecessor still works):
    // whichever takes the message works for four ack waits; without in-progress acks the server would
    // hand it to the other one meanwhile.
    const handler = (who: string) => async (m: Ping, meta: DurableMessageMeta) => {
      deliveries.push(`${who}#${meta.deliveryCount}`);
      await new Promise((resolve) => setTimeout(resolve, 2_400));
      done.push(m.id);
    };
    const other = await testBus(subjects, 'js-slow-2');
    const handles = [
      await bus.consume(spec, PingContract, handler('a')),
      await other.bus.consume(spec, PingContract, handler('b')),
    ];
    await bus.publishDurable(subjects.orderRequest('SOLUSDT'), PingContract, ping('slow'), { msgId: 'slow-1' });
    expect(await done.until(1)).toEqual(['slow']);
    const jsm = await jetstreamManager(raw);
    const info = await jsm.consumers.info(subjects.streams.ORDERS, 'slow-worker');
    expect(info.num_redelivered).toBe(0);
    expect(deliveries).toHaveLength(1);
    for (const h of handles) await h.stop();
    await other.bus.drain();
  });

  it('refuses in-progress acks that could not beat the ack wait', async () => {
    await expect(
      bus.consume(
        quick('bad-wpi', 'ORDERS', { ackWaitMs: 1_000, inProgressEveryMs: 800 }),
        PingContract,
        () => undefined,
      ),
    ).rejects.toThrow(/at most half its ack wait/);
  });
});
