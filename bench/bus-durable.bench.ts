// Durable publishes on the order path: the risk gate's publishDurable of an order request to the
// ORDERS stream (file storage, acknowledged by the server), one at a time as the risk gate sends
// them and with 32 in flight, on a private nats-server this bench starts on a free port.
//
// Two server settings (libs/bus README, "Durability"): the default, which fsyncs every two minutes,
// and `sync_interval: always`, which fsyncs every write before acknowledging it. nats-server before
// 2.10 cannot express the second; then the bench says so and prints, instead, what one fsync of an
// order-request-sized append costs on the same disk, and the rate that would leave one at a time
// (each publish paying its write and one fsync). Set NATS_SERVER_BIN to a 2.10+ binary to measure it.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type Bus } from '@bourse/bus';
import { natsServerVersion, startPrivateNats } from '@bourse/bus/testing';
import { createSubjects, OrderRequest } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { floor, type BenchResult } from './measure.js';
import type { Row } from './table.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const MiB = 1024 * 1024;
const SECONDS = 2;
const IN_FLIGHT = 32;

// Built and checked once; each publish changes only its ids (the bus validates every message anyway).
const TEMPLATE: OrderRequest = OrderRequest.parse({
  v: 1,
  clientOrderId: 'bsm-bench-000000000',
  intentId: 'bench:BTCUSDT:0',
  strategyId: 'bench',
  strategyVersion: '1.0.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  venueSymbol: 'BTCUSDT',
  side: 'BUY',
  qty: '0.01000',
  style: 'limit',
  price: '64000.00',
  timeInForce: 'GTC',
  constraints: { maxSlippageBps: '15', limitWindowMs: 30_000, marketFallback: true },
  reduceOnly: false,
  createdAt: 1_700_000_000_000,
});

const order = (i: number): OrderRequest => ({
  ...TEMPLATE,
  clientOrderId: `bsm-bench-${String(i).padStart(9, '0')}` as OrderRequest['clientOrderId'],
  intentId: `bench:BTCUSDT:${i}` as OrderRequest['intentId'],
  createdAt: TEMPLATE.createdAt + i,
});

function result(name: string, ops: number, ns: number): BenchResult {
  const nsPerOp = ns / ops;
  return { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, floorRatio: nsPerOp / floor() };
}

/** Publishes for about SECONDS with `inFlight` publishes outstanding; returns the rate. */
async function publishFor(bus: Bus, name: string, inFlight: number, start: number): Promise<BenchResult> {
  const subject = bus.subjects.orderRequest('BTCUSDT');
  let next = start;
  let done = 0;
  const begin = process.hrtime.bigint();
  const deadline = begin + BigInt(SECONDS * 1e9);
  const lane = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      const i = next++;
      const o = order(i);
      await bus.publishDurable(subject, OrderRequestContract, o, { msgId: o.clientOrderId });
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return result(name, done, Number(process.hrtime.bigint() - begin));
}

async function measureServer(label: string, jetstream: string): Promise<BenchResult[]> {
  const nats = await startPrivateNats('', { jetstream });
  const bus = await connectBus({
    service: 'risk-gate',
    subjects: createSubjects('bench'),
    logger: createLogger({ service: 'bench', level: 'silent' }),
    registry: createMetrics({ service: 'bench', defaultMetrics: false }).registry,
    servers: nats.url,
    credentials: {},
    streams: { replicas: 1, limits: { ORDERS: { maxBytes: 512 * MiB } } },
  });
  try {
    await bus.ensureStreams();
    await publishFor(bus, 'warm-up', 1, 0).catch(() => undefined);
    const one = await publishFor(bus, `${label}, 1 at a time`, 1, 1e7);
    const many = await publishFor(bus, `${label}, ${IN_FLIGHT} in flight`, IN_FLIGHT, 2e7);
    return [one, many];
  } finally {
    await bus.drain();
    await nats.stop();
  }
}

/** One fsync'd append of an order request's size, in the folder the private server stores in. */
async function fsyncAppend(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bourse-fsync-'));
  const fd = openSync(join(dir, 'append.blk'), 'a');
  const record = Buffer.alloc(Buffer.byteLength(JSON.stringify(order(0))) + 64, 0x61);
  try {
    let n = 0;
    const begin = process.hrtime.bigint();
    const deadline = begin + BigInt(1e9);
    while (process.hrtime.bigint() < deadline) {
      writeSync(fd, record);
      fsyncSync(fd);
      n++;
    }
    return result(`write + fsync of ${record.length} bytes (${tmpdir()})`, n, Number(process.hrtime.bigint() - begin));
  } finally {
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A durable-publish rate as a table row (not one of issue 22's numbered figures: the bus's own cost). */
function row(r: BenchResult, baseline?: BenchResult, baselineName?: string, notes?: string): Row {
  return {
    figure: 'bus',
    name: r.name.startsWith('write') ? r.name : `durable publish, ${r.name}`,
    value: r.opsPerSec,
    unit: 'publishes/s',
    ...(baseline !== undefined
      ? { baseline: baseline.opsPerSec, baselineName, ratio: r.opsPerSec / baseline.opsPerSec }
      : {}),
    target: '— (measured)',
    ...(notes !== undefined ? { notes } : {}),
  };
}

export async function figures(): Promise<Row[]> {
  const version = await natsServerVersion();
  if (version === undefined) {
    return [
      {
        figure: 'bus',
        name: 'durable publishes',
        value: 0,
        unit: '',
        target: '—',
        notes: 'no nats-server found (PATH or NATS_SERVER_BIN); skipped',
      },
    ];
  }
  const v = `v${version.join('.')}`;
  const canSyncAlways = version[0] > 2 || (version[0] === 2 && version[1] >= 10);
  const lazy = await measureServer('default fsync (2 min)', '');
  const [one, many] = lazy as [BenchResult, BenchResult];
  if (canSyncAlways) {
    const [aOne, aMany] = (await measureServer('sync_interval: always', '  sync_interval: always')) as [
      BenchResult,
      BenchResult,
    ];
    return [
      row(one, aOne, 'sync always', `nats-server ${v}, file storage, R1`),
      row(many, aMany, 'sync always'),
      row(aOne),
      row(aMany),
    ];
  }
  const fsync = await fsyncAppend();
  // Each publish pays what it pays now plus one fsync (the server fsyncs every write, in order).
  const estimate = result('estimate: sync_interval: always, 1 at a time', 1, one.nsPerOp + fsync.nsPerOp);
  return [
    row(one, estimate, 'est. sync always', `nats-server ${v}, file storage, R1`),
    row(many),
    row(fsync),
    row(
      estimate,
      undefined,
      undefined,
      `nats-server ${v} does not know sync_interval (2.10+): "always" is estimated, not measured; ` +
        'NATS_SERVER_BIN=<2.10+ binary> pnpm bench bus-durable measures it',
    ),
  ];
}
