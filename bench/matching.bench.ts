// Matching engine throughput: mixed resting / crossing limit orders, and book updates.
import { MatchingEngine, type NewOrderRequest } from '@bourse/matching';
import { keepAlive, measure, printResults } from './measure.js';

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

export async function run(): Promise<void> {
  const stream = orderStream(1 << 16);
  const results = [];
  // Warm the JIT on a throwaway engine so the first measured run is not the one paying for it.
  const warm = newEngine(true).engine;
  for (let i = 0; i < 50_000; i++) {
    warm.placeOrderFast(stream[i & (stream.length - 1)] as NewOrderRequest);
    if ((i & 4095) === 4095) for (const a of ['a', 'b', 'c', 'd']) warm.cancelOpenOrders(a, SYMBOL);
  }
  for (const listener of [false, true]) {
    const { engine, events } = newEngine(listener);
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
    const r = measure(`limit orders/s (${listener ? 'with' : 'no'} listener)`, place);
    results.push(r);
    // Book updates per second over the same run: level changes per order × orders per second.
    const updates = engine.depth(SYMBOL, 1).lastUpdateId - before;
    const perOrder = updates / placed;
    results.push({
      name: `book updates/s (${listener ? 'with' : 'no'} listener)`,
      opsPerSec: r.opsPerSec * perOrder,
      nsPerOp: r.nsPerOp / perOrder,
      floorRatio: r.floorRatio / perOrder,
    });
    if (listener) console.log(`  (${events()} events delivered; sink ${keepAlive()})`);
  }
  printResults('matching engine', results);
}
