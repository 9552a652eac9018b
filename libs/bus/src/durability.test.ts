// The durability decision in the README, shown where this machine can show it: an order request
// acknowledged by JetStream survives a kill -9 of nats-server (the write reached the OS before the
// ack). Power loss cannot be shown on one machine; the README says what covers it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSubjects, OrderRequest } from '@bourse/contracts';
import { sampleOrderRequest } from '@bourse/contracts/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { connectBus } from './connect.js';
import { captureLogger } from './test-helpers.js';
import { startPrivateNats, TEST_STREAMS } from './testing.js';
import type { PrivateNats } from './testing.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const COUNT = 300;

describe('a kill -9 of nats-server', () => {
  const subjects = createSubjects('t_durable');
  let storeDir: string | undefined;
  let nats: PrivateNats | undefined;

  afterAll(async () => {
    await nats?.stop();
    if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true });
  });

  it('loses no order request the server acknowledged', async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'bourse-durable-'));
    nats = await startPrivateNats('', { storeDir });
    const url = nats.url;
    const bus = await connectBus({
      service: 'risk-gate',
      subjects,
      logger: captureLogger().logger,
      registry: new Registry(),
      servers: url,
      credentials: {},
      streams: TEST_STREAMS,
    });
    await bus.ensureStreams();
    const acked: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const clientOrderId = `bsm-durable-${String(i).padStart(6, '0')}`;
      const ack = await bus.publishDurable(
        subjects.orderRequest('BTCUSDT'),
        OrderRequestContract,
        OrderRequest.parse({ ...sampleOrderRequest, clientOrderId, intentId: `durable:${i}` }),
        { msgId: clientOrderId },
      );
      acked.push(ack.seq);
    }
    // The last ack is in hand; the server dies with no chance to flush or close anything.
    await nats.kill();

    nats = await startPrivateNats('', { storeDir, port: Number(new URL(url).port) });
    const nc = await connect({ servers: nats.url });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(subjects.streams.ORDERS);
      expect(info.state.messages).toBe(COUNT);
      expect(info.state.last_seq).toBe(acked.at(-1));
      // The publisher's own connection comes back to the restarted server.
      await expect.poll(() => bus.isConnected(), { timeout: 10_000 }).toBe(true);
    } finally {
      await nc.close();
      await bus.drain();
    }
  }, 60_000);
});
