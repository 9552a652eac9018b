// Binance's "How to manage a local order book correctly", run against the sim while its market
// moves: the book rebuilt from a REST snapshot plus the diff stream must equal the sim's own book.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { toFixed8 } from '../binance-numbers.js';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { RestClient, TEST_KEY, WsClient } from '../test-support.js';

interface DepthUpdate {
  e: string;
  s: string;
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

let sim: RunningExchangeSim;
let rest: RestClient;

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    seed: 7,
    marketActivity: { enabled: false, volatility: 0.002, takerProbability: 0.8, levels: 8 },
    depthIntervalsMs: { fast: 20, slow: 60 },
  });
  rest = new RestClient(sim.restUrl);
});

afterAll(async () => {
  await sim.close();
});

class LocalBook {
  updateId = 0;
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();

  load(snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }): void {
    this.updateId = snapshot.lastUpdateId;
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
  }

  /** The update procedure; throws on a gap, which would mean starting over. */
  apply(e: DepthUpdate): void {
    if (e.u < this.updateId) return;
    if (e.U > this.updateId + 1) throw new Error(`gap: local book at ${this.updateId}, event starts at ${e.U}`);
    for (const [side, levels] of [
      [this.bids, e.b],
      [this.asks, e.a],
    ] as const) {
      for (const [p, q] of levels) {
        if (/^0(\.0+)?$/.test(q)) side.delete(p);
        else side.set(p, q);
      }
    }
    this.updateId = e.u;
  }

  sorted(): { bids: string[][]; asks: string[][] } {
    const bids = [...this.bids].sort((x, y) => dec(y[0]).cmp(dec(x[0])));
    const asks = [...this.asks].sort((x, y) => dec(x[0]).cmp(dec(y[0])));
    return { bids, asks };
  }
}

async function syncAndCompare(
  symbol: string,
  path: string,
  unwrap: (m: Record<string, unknown>) => DepthUpdate | undefined,
): Promise<number> {
  const ws = await WsClient.open(`${sim.wsStreamUrl}${path}`);
  const market = setInterval(() => sim.stepMarket(), 5);
  try {
    const isDiff = (m: Record<string, unknown>): boolean => unwrap(m)?.e === 'depthUpdate';
    // Step 2: buffer, noting the first event's U.
    const first = unwrap(await ws.next(isDiff, 5000, 'the first depth update'));
    if (!first) throw new Error('no first event');
    // Step 3-4: a snapshot whose lastUpdateId is not older than that first U.
    let snapshot = (
      await rest.public<{ lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }>('/api/v3/depth', {
        symbol,
        limit: 5000,
      })
    ).body;
    while (snapshot.lastUpdateId < first.U) {
      snapshot = (await rest.public<typeof snapshot>('/api/v3/depth', { symbol, limit: 5000 })).body;
    }
    const book = new LocalBook();
    book.load(snapshot);
    // Step 5-7: drop what the snapshot covers; the first kept event must straddle lastUpdateId.
    const buffered = [first];
    let applied = 0;
    let straddled = false;
    const consume = (e: DepthUpdate): void => {
      if (e.u <= snapshot.lastUpdateId) return;
      if (!straddled) {
        expect(e.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
        straddled = true;
      }
      book.apply(e);
      applied += 1;
    };
    for (const e of buffered) consume(e);
    while (applied < 15) {
      const e = unwrap(await ws.next(isDiff, 5000, 'a depth update'));
      if (e) consume(e);
    }
    clearInterval(market);
    // The market is still now; wait for the diff that brings us to the sim's last change.
    const target = sim.engine.depth(symbol, 5000);
    while (book.updateId < target.lastUpdateId) {
      const e = unwrap(await ws.next(isDiff, 5000, `the depth update reaching ${target.lastUpdateId}`));
      if (e) book.apply(e);
    }
    expect(book.updateId).toBe(target.lastUpdateId);
    expect(book.sorted()).toEqual({
      bids: target.bids.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
      asks: target.asks.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
    });
    expect(target.bids.length + target.asks.length).toBeGreaterThan(0);
    return applied;
  } finally {
    clearInterval(market);
    ws.close();
  }
}

describe('depth snapshot + diff stream', () => {
  it('rebuilds the book exactly from /ws/<symbol>@depth@100ms', async () => {
    sim.stepMarket();
    const applied = await syncAndCompare('BTCUSDT', '/ws/btcusdt@depth@100ms', (m) => m as unknown as DepthUpdate);
    expect(applied).toBeGreaterThanOrEqual(15);
  });

  it('rebuilds the book exactly from a combined @depth stream', async () => {
    const applied = await syncAndCompare('ETHUSDT', '/stream?streams=ethusdt@depth/ethusdt@trade', (m) =>
      m.stream === 'ethusdt@depth' ? (m.data as DepthUpdate) : undefined,
    );
    expect(applied).toBeGreaterThanOrEqual(15);
  });

  it('diff events continue without gaps: each U is the previous u + 1', async () => {
    const ws = await WsClient.open(`${sim.wsStreamUrl}/ws/solusdt@depth@100ms`);
    const market = setInterval(() => sim.stepMarket(), 5);
    try {
      let prev = await ws.next<DepthUpdate>((m) => m.e === 'depthUpdate');
      for (let i = 0; i < 10; i += 1) {
        const e = await ws.next<DepthUpdate>((m) => m.e === 'depthUpdate');
        expect(e.U).toBe(prev.u + 1);
        expect(e.u).toBeGreaterThanOrEqual(e.U);
        prev = e;
      }
    } finally {
      clearInterval(market);
      ws.close();
    }
  });
});

describe('a sharded client: /ws/0 and one SUBSCRIBE', () => {
  it('gets {result:null,id}, then diffs that continue a REST snapshot fetched after subscribing, and trades', async () => {
    const ws = await WsClient.open(`${sim.wsStreamUrl}/ws/0`);
    const market = setInterval(() => sim.stepMarket(), 5);
    try {
      expect(
        await ws.request({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@trade'], id: 42 }),
      ).toEqual({ result: null, id: 42 });
      const snapshot = (
        await rest.public<{ lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }>(
          '/api/v3/depth',
          { symbol: 'BTCUSDT', limit: 1000 },
        )
      ).body;
      const book = new LocalBook();
      book.load(snapshot);
      const isDiff = (m: Record<string, unknown>): boolean => m.e === 'depthUpdate';
      // Events the snapshot already covers are dropped; the first one kept must straddle lastUpdateId.
      let first = await ws.next<DepthUpdate>(isDiff, 5000, 'a depth update');
      while (first.u <= snapshot.lastUpdateId) first = await ws.next<DepthUpdate>(isDiff, 5000, 'a depth update');
      expect(first.s).toBe('BTCUSDT');
      expect(first.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
      book.apply(first);
      for (let i = 0; i < 10; i += 1) {
        const e = await ws.next<DepthUpdate>(isDiff, 5000, 'a depth update');
        expect(e.U).toBe(book.updateId + 1);
        book.apply(e);
      }
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '70000', quantity: '0.5' });
      const ours = sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '1' });
      // The market stepper trades too (either side); wait for the trade this buy made.
      const tradeId = ours.fills[0]?.tradeId;
      expect(tradeId).toBeDefined();
      const trade = await ws.next((m) => m.e === 'trade' && m.t === tradeId, 5000, `trade ${tradeId}`);
      expect(trade).toMatchObject({ e: 'trade', s: 'BTCUSDT', m: false });
      clearInterval(market);
      const target = sim.engine.depth('BTCUSDT', 5000);
      while (book.updateId < target.lastUpdateId) {
        book.apply(await ws.next<DepthUpdate>(isDiff, 5000, `the depth update reaching ${target.lastUpdateId}`));
      }
      expect(book.sorted()).toEqual({
        bids: target.bids.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
        asks: target.asks.map(([p, q]) => [toFixed8(p), toFixed8(q)]),
      });
    } finally {
      clearInterval(market);
      ws.close();
    }
  });
});
