// Matching engine throughput: mixed resting / crossing limit orders, and book updates.
import { MatchingEngine, type NewOrderRequest } from '@bourse/matching';
import { measure, type BenchResult } from './measure.js';
import type { Row } from './table.js';

const SYMBOL = 'BTCUSDT';

function newEngine(withListener: boolean): { engine: MatchingEngine; events: () => number } {
  let count = 0;
  let t = 1_700_000_000_000;
  const engine = new MatchingEngine({
    clock: { now: () => t++ },
    maxClosedOrdersPerSymbol: 1_000,
    onEvent: withListener
      ? () => {
          count++;
        }
      : undefined,
  });
  engine.addSymbol({
    symbol: SYMBOL,
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    minNotional: '5',
    makerFeeRate: '0.001',
    takerFeeRate: '0.001',
  });
  for (const who of ['a', 'b', 'c', 'd']) {
    engine.deposit(who, 'BTC', '100000000');
    engine.deposit(who, 'USDT', '100000000000000');
  }
  return { engine, events: () => count };
}

/**
 * A fixed, pre-built stream of orders: prices wander ±20 ticks around 30000, about a third cross
 * the spread. Built up front so the loop measures the engine, not request building.
 */
function orderStream(n: number): NewOrderRequest[] {
  const orders: NewOrderRequest[] = [];
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff);
  const accounts = ['a', 'b', 'c', 'd'];
  for (let i = 0; i < n; i++) {
    const buy = next() % 2 === 0;
    const offset = (next() % 40) - 14; // skewed so some orders cross
    const cents = 3_000_000 + (buy ? offset : -offset);
    orders.push({
      accountId: accounts[i % 4] as string,
      symbol: SYMBOL,
      side: buy ? 'BUY' : 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: (cents / 100).toFixed(2),
      quantity: ((1 + (next() % 100)) / 1000).toFixed(3),
      selfTradePreventionMode: 'NONE',
    });
  }
  return orders;
}

interface Level {
  price: number;
  qtys: number[];
  head: number;
}

/**
 * The baseline: the same order stream into a plain book of sorted arrays (levels by integer price,
 * FIFO quantities per level, binary-search insertion of a new level), matching crossing orders
 * against the best levels. No accounts, fees, ids, events or validation: the floor of keeping this
 * book. Counts levels changed, the baseline's book updates.
 */
class SortedArrayBook {
  /** Ascending by price for asks, descending for bids: the best level is at the end (pop is O(1)). */
  private readonly bids: Level[] = [];
  private readonly asks: Level[] = [];
  levelChanges = 0;

  place(buy: boolean, price: number, qty: number): void {
    const opposite = buy ? this.asks : this.bids;
    let left = qty;
    while (left > 0 && opposite.length > 0) {
      const best = opposite[opposite.length - 1]!;
      if (buy ? best.price > price : best.price < price) break;
      while (left > 0 && best.head < best.qtys.length) {
        const q = best.qtys[best.head]!;
        if (q <= left) {
          left -= q;
          best.head++;
        } else {
          best.qtys[best.head] = q - left;
          left = 0;
        }
      }
      this.levelChanges++;
      if (best.head === best.qtys.length) opposite.pop();
    }
    if (left === 0) return;
    const side = buy ? this.bids : this.asks;
    // Each side is sorted with its best price last (bids ascending, asks descending): find the level.
    let lo = 0;
    let hi = side.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = side[mid]!.price;
      if (buy ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    const at = side[lo];
    if (at !== undefined && at.price === price) at.qtys.push(left);
    else side.splice(lo, 0, { price, qtys: [left], head: 0 });
    this.levelChanges++;
  }

  clear(): void {
    this.bids.length = 0;
    this.asks.length = 0;
  }
}

export async function figures(): Promise<Row[]> {
  const stream = orderStream(1 << 16);
  // The baseline reads the same requests: prices in cents and quantities in thousandths, as numbers.
  const parsed = stream.map((o) => ({
    buy: o.side === 'BUY',
    price: Math.round(Number(o.price) * 100),
    qty: Math.round(Number(o.quantity) * 1000),
  }));
  const results = new Map<string, BenchResult>();
  const perOrder = new Map<string, number>();
  // Warm the JIT on a throwaway engine so the first measured run is not the one paying for it.
  const warm = newEngine(true).engine;
  for (let i = 0; i < 50_000; i++) {
    warm.placeOrderFast(stream[i & (stream.length - 1)] as NewOrderRequest);
    if ((i & 4095) === 4095) for (const a of ['a', 'b', 'c', 'd']) warm.cancelOpenOrders(a, SYMBOL);
  }
  for (const listener of [false, true]) {
    const { engine } = newEngine(listener);
    let i = 0;
    let placed = 0;
    const place = () => {
      const req = stream[i++ & (stream.length - 1)] as NewOrderRequest;
      engine.placeOrderFast(req);
      placed++;
      // Keep the book bounded: every 4096 orders, cancel everything still resting.
      if ((placed & 4095) === 0) for (const a of ['a', 'b', 'c', 'd']) engine.cancelOpenOrders(a, SYMBOL);
    };
    const before = engine.depth(SYMBOL, 1).lastUpdateId;
    const key = listener ? 'listener' : 'bare';
    results.set(key, measure('engine', place, { targetMs: 400 }));
    perOrder.set(key, (engine.depth(SYMBOL, 1).lastUpdateId - before) / placed);
  }
  const book = new SortedArrayBook();
  let j = 0;
  let placedB = 0;
  const baseline = measure(
    'sorted arrays',
    () => {
      const o = parsed[j++ & (parsed.length - 1)]!;
      book.place(o.buy, o.price, o.qty);
      if ((++placedB & 4095) === 0) book.clear();
    },
    { targetMs: 400 },
  );
  const baselinePerOrder = book.levelChanges / placedB;
  const bare = results.get('bare')!;
  const withListener = results.get('listener')!;
  const updates = bare.opsPerSec * perOrder.get('bare')!;
  const baselineUpdates = baseline.opsPerSec * baselinePerOrder;
  return [
    {
      figure: '5',
      name: 'matching: limit orders/s (no listener)',
      value: bare.opsPerSec,
      unit: 'orders/s',
      baseline: baseline.opsPerSec,
      baselineName: 'sorted-array book',
      ratio: bare.opsPerSec / baseline.opsPerSec,
      target: '— (none set)',
      notes: `${stream.length} pre-built GTC limit orders (about a third cross), the book cleared every 4096; the baseline parses the same prices to integers once, up front`,
    },
    {
      figure: '5',
      name: 'matching: limit orders/s (event listener)',
      value: withListener.opsPerSec,
      unit: 'orders/s',
      baseline: baseline.opsPerSec,
      baselineName: 'sorted-array book',
      ratio: withListener.opsPerSec / baseline.opsPerSec,
      target: '— (none set)',
    },
    {
      figure: '5',
      name: 'matching: book updates/s (no listener)',
      value: updates,
      unit: 'updates/s',
      baseline: baselineUpdates,
      baselineName: 'sorted-array level changes',
      ratio: updates / baselineUpdates,
      target: '— (none set)',
      notes: `engine ${perOrder.get('bare')!.toFixed(2)} depth updates per order (lastUpdateId); baseline ${baselinePerOrder.toFixed(2)} level changes per order`,
    },
  ];
}
