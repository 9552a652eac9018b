import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { isContractViolation } from '@bourse/contracts';
import type { DeadLetter } from '@bourse/contracts';
import { z } from 'zod';
import { DeadLetterContract } from './dead-letter.js';
import { isBusError } from './errors.js';
import { Collector, NATS_URL, PingContract, counterValue, testBus, within } from './test-helpers.js';
import type { LogLine, Ping } from './test-helpers.js';
import { removeTestNamespace, testSubjects } from './testing.js';
import type { Bus, Contract, MessageMeta } from './types.js';
import type { Registry } from 'prom-client';

const subjects = testSubjects();
const Quote = z.object({ version: z.literal(1), bid: z.string(), ask: z.string() });
const QuoteContract: Contract<typeof Quote> = { name: 'Quote', schema: Quote };

let bus: Bus;
let lines: LogLine[];
let registry: Registry;
let raw: NatsConnection;

beforeAll(async () => {
  ({ bus, lines, registry } = await testBus(subjects, 'core-test'));
  await bus.ensureStreams();
  raw = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  await bus?.drain();
  await raw?.close();
  await removeTestNamespace(subjects, NATS_URL);
});

describe('core publish/subscribe', () => {
  it('delivers a valid message to the subscriber, typed and with its headers', async () => {
    const got = new Collector<{ msg: Ping; meta: MessageMeta }>();
    const sub = bus.subscribe(subjects.md.quote('sim', 'BTCUSDT'), PingContract, (msg, meta) =>
      got.push({ msg, meta }),
    );
    await bus.flush();
    bus.publish(
      subjects.md.quote('sim', 'BTCUSDT'),
      PingContract,
      { version: 1, id: 'a1', qty: '0.5' },
      { headers: { 'X-Test': 'yes' } },
    );
    const [first] = await got.until(1);
    expect(first?.msg).toEqual({ version: 1, id: 'a1', qty: '0.5' });
    expect(first?.meta.subject).toBe(subjects.md.quote('sim', 'BTCUSDT'));
    expect(first?.meta.headers['X-Test']).toBe('yes');
    await sub.unsubscribe();
  });

  it('refuses to publish a message that breaks its contract', () => {
    const bad = { version: 1, id: 'a2', qty: 0.1 } as unknown as Ping;
    let thrown: unknown;
    try {
      bus.publish(subjects.md.quote('sim', 'BTCUSDT'), PingContract, bad);
    } catch (err) {
      thrown = err;
    }
    expect(isContractViolation(thrown)).toBe(true);
    expect(lines.some((l) => l.msg === 'refused to send an invalid message' && l.contract === 'Ping')).toBe(true);
  });

  it('dead-letters an invalid message with the reason and keeps the subscription running', async () => {
    const subject = subjects.md.trade('sim', 'ETHUSDT');
    const good = new Collector<Ping>();
    const letters = new Collector<DeadLetter>();
    const dlqSub = bus.subscribe(subjects.dlq('core-test'), DeadLetterContract, (l) => letters.push(l));
    const sub = bus.subscribe(subject, PingContract, (m) => good.push(m));
    await bus.flush();
    const before = await counterValue(registry, 'bourse_bus_dead_letters_total', {
      service: 'core-test',
      reason: 'contract_violation',
    });

    const h = natsHeaders();
    h.set('X-Origin', 'raw');
    raw.publish(subject, JSON.stringify({ version: 1, id: '', qty: 'abc' }), { headers: h });
    raw.publish(subject, 'not json at all{');
    raw.publish(subject, JSON.stringify({ version: 1, id: 'ok', qty: '1' }));

    const [violation, malformed] = await letters.until(2);
    expect(violation?.reason).toBe('contract_violation');
    expect(violation?.code).toBe('CONTRACT_VIOLATION');
    expect(violation?.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['id', 'qty']));
    expect(violation?.subject).toBe(subject);
    expect(violation?.headers['X-Origin']).toEqual(['raw']);
    expect(JSON.parse(violation?.payload ?? '')).toEqual({ version: 1, id: '', qty: 'abc' });
    expect(malformed?.reason).toBe('malformed_json');
    expect(malformed?.payload).toBe('not json at all{');
    expect(await good.until(1)).toEqual([{ version: 1, id: 'ok', qty: '1' }]);
    const after = await counterValue(registry, 'bourse_bus_dead_letters_total', {
      service: 'core-test',
      reason: 'contract_violation',
    });
    expect(after).toBe(before + 1);
    expect(
      lines.some((l) => l.msg === 'message dead-lettered' && l.subject === subject && l.reason === 'malformed_json'),
    ).toBe(true);
    await sub.unsubscribe();
    await dlqSub.unsubscribe();
  });

  it('dead-letters a message whose handler throws, and carries on', async () => {
    const subject = subjects.md.book('sim', 'SOLUSDT');
    const letters = new Collector<DeadLetter>();
    const handled = new Collector<string>();
    const dlqSub = bus.subscribe(subjects.dlq('core-test'), DeadLetterContract, (l) => letters.push(l));
    const sub = bus.subscribe(subject, PingContract, (m) => {
      if (m.id === 'boom') throw new Error('handler exploded');
      handled.push(m.id);
    });
    await bus.flush();
    bus.publish(subject, PingContract, { version: 1, id: 'boom', qty: '1' });
    bus.publish(subject, PingContract, { version: 1, id: 'after', qty: '1' });
    const [letter] = await letters.until(1);
    expect(letter?.reason).toBe('handler_failed');
    expect(letter?.issues[0]?.message).toContain('handler exploded');
    expect(await handled.until(1)).toEqual(['after']);
    await sub.unsubscribe();
    await dlqSub.unsubscribe();
  });
});

describe('core request/reply', () => {
  it('answers a valid request with a typed reply', async () => {
    const subject = subjects.command('core-test', 'quote');
    const server = bus.serve(subject, PingContract, QuoteContract, (req) => ({
      version: 1 as const,
      bid: req.qty,
      ask: `${req.id}-ask`,
    }));
    await bus.flush();
    const reply = await bus.request(subject, PingContract, { version: 1, id: 'r1', qty: '2.5' }, QuoteContract);
    expect(reply).toEqual({ version: 1, bid: '2.5', ask: 'r1-ask' });
    await server.unsubscribe();
  });

  it('returns an error reply for an invalid request instead of leaving the caller to time out', async () => {
    const subject = subjects.command('core-test', 'strict');
    const server = bus.serve(subject, PingContract, QuoteContract, () => ({ version: 1 as const, bid: '1', ask: '2' }));
    await bus.flush();
    const reply = await within(
      raw.request(subject, JSON.stringify({ version: 2 }), { timeout: 5_000 }),
      6_000,
      'error reply',
    );
    expect(reply.headers?.get('Bourse-Error')).toBe('invalid_request');
    expect(reply.json<{ message: string }>().message).toContain('version');
    await server.unsubscribe();
  });

  it('turns a failing handler into a REMOTE_ERROR without its details', async () => {
    const subject = subjects.command('core-test', 'fails');
    const server = bus.serve(subject, PingContract, QuoteContract, () => {
      throw new Error('secret internals');
    });
    await bus.flush();
    const err = await bus
      .request(subject, PingContract, { version: 1, id: 'x', qty: '1' }, QuoteContract)
      .catch((e: unknown) => e);
    expect(isBusError(err, 'BUS_REMOTE_ERROR')).toBe(true);
    expect((err as Error).message).toContain('handler_failed');
    expect((err as Error).message).not.toContain('secret internals');
    await server.unsubscribe();
  });

  it('reports no responders at once, by subject', async () => {
    const subject = subjects.command('nobody', 'home');
    const err = await bus
      .request(subject, PingContract, { version: 1, id: 'x', qty: '1' }, QuoteContract)
      .catch((e: unknown) => e);
    expect(isBusError(err, 'BUS_NO_RESPONDERS')).toBe(true);
    expect((err as Error).message).toContain(subject);
  });

  it('reports a timeout as REQUEST_TIMEOUT when the responder never answers', async () => {
    const subject = subjects.command('core-test', 'silent');
    const silent = raw.subscribe(subject);
    await bus.flush();
    const err = await bus
      .request(subject, PingContract, { version: 1, id: 'x', qty: '1' }, QuoteContract, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(isBusError(err, 'BUS_REQUEST_TIMEOUT')).toBe(true);
    silent.unsubscribe();
  });
});
