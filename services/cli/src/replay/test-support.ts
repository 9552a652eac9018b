// Test-only helpers for replay and the replay-vs-backtest comparison (imported by tests, never by the
// command): small captures written the way the market-data recorder writes them, and a namespace of
// its own on the real NATS with trading ACTIVE and a passing reconciliation. The paper runner the
// comparison feeds is the strategy runner service's own test support (`startPaperRunner`).

import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { connectBus, type Bus } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import { ReconciliationReport, TradingState, type Subjects } from '@bourse/contracts';
import { dec, spotInstrument, type InstrumentSpec } from '@bourse/domain';
import { captureHeaders } from '@bourse/market-feed';
import { createLogger } from '@bourse/telemetry';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export const BTC: InstrumentSpec = spotInstrument('BTC/USDT', 'binance', 'BTCUSDT', {
  tickSize: dec('0.01'),
  stepSize: dec('0.00001'),
  minQty: dec('0.00001'),
});

/** One capture line: a raw Binance stream frame and when the gateway received it. */
export interface FrameAt {
  readonly t: number;
  readonly frame?: string;
  /** A REST depth snapshot (the frame is its body). */
  readonly depth?: string;
}

export const frames = {
  trade: (id: number, price: string, qty: string, time: number): string =>
    JSON.stringify({
      stream: 'btcusdt@trade',
      data: { e: 'trade', E: time, s: 'BTCUSDT', t: id, p: price, q: qty, T: time, m: false },
    }),
  quote: (updateId: number, bid: string, ask: string): string =>
    JSON.stringify({
      stream: 'btcusdt@bookTicker',
      data: { u: updateId, s: 'BTCUSDT', b: bid, B: '1.5', a: ask, A: '2.5' },
    }),
  depth: (first: number, last: number, bids: [string, string][], asks: [string, string][], time: number): string =>
    JSON.stringify({
      stream: 'btcusdt@depth@100ms',
      data: { e: 'depthUpdate', E: time, s: 'BTCUSDT', U: first, u: last, b: bids, a: asks },
    }),
};

/** Writes a one-file capture (header + lines, gzip NDJSON) as the recorder does; `extra` raw lines too. */
export async function writeCapture(
  path: string,
  openedAt: number,
  lines: readonly FrameAt[],
  extra: readonly { after: number; text: string }[] = [],
): Promise<void> {
  const header = captureHeaders({ venue: 'binance', bookLevels: 5, instruments: [BTC] })({ seq: 1, openedAt });
  const out = [JSON.stringify(header)];
  lines.forEach((l, i) => {
    out.push(
      JSON.stringify(
        l.depth !== undefined
          ? { t: l.t, conn: 'rest', depth: 'BTCUSDT', frame: l.depth }
          : { t: l.t, conn: 1, frame: l.frame },
      ),
    );
    for (const e of extra) if (e.after === i) out.push(e.text);
  });
  await writeFile(path, gzipSync(out.join('\n') + '\n'));
}

export interface Namespace {
  readonly subjects: Subjects;
  readonly bus: Bus;
  readonly nc: NatsConnection;
  close(): Promise<void>;
}

const ReconContract = { name: 'ReconciliationReport', schema: ReconciliationReport };

/**
 * A namespace of its own on the real NATS with its streams. `trading`: the global trading state ACTIVE
 * in the KV and an `ok` reconciliation report on RECON, as the reconciler leaves them.
 */
export async function openNamespace(options: { trading?: boolean } = {}): Promise<Namespace> {
  const subjects = testSubjects();
  const bus = await connectBus({
    service: 'replay-test',
    subjects,
    logger: createLogger({ service: 'replay-test', level: 'silent' }),
    registry: new Registry(),
    servers: NATS_URL,
    streams: TEST_STREAMS,
  });
  const nc = await connect({ servers: NATS_URL });
  if (options.trading === true) {
    await bus.ensureStreams();
    const state = await bus.tradingState({ name: 'TradingState', schema: TradingState });
    const now = Date.now();
    await state.put('global', {
      v: 1,
      scope: { kind: 'global' },
      mode: 'ACTIVE',
      reason: 'replay test',
      setBy: 'test',
      updatedAt: now,
    });
    const report = ReconciliationReport.parse({
      v: 1,
      runId: `recon-${randomUUID()}`,
      venue: 'binance',
      trigger: 'start',
      startedAt: now - 10,
      finishedAt: now,
      counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
      differences: { orders: [], fills: [], balances: [], positions: [] },
      missedFillsRecovered: [],
      unknownOpenOrders: [],
      drift: { value: '0', tolerance: '10', asset: 'USDT' },
      verdict: 'ok',
    });
    await bus.publishDurable(subjects.reconReport(), ReconContract, report, { msgId: report.runId });
  }
  return {
    subjects,
    bus,
    nc,
    async close() {
      await bus.drain();
      await nc.close();
      await removeTestNamespace(subjects, NATS_URL);
    },
  };
}
