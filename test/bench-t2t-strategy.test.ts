// Figure 1's bench strategy (bench/process/t2t-strategy.ts), loaded as the strategy runner loads it
// (`module:` through @bourse/strategy/loader): it must decide on exactly the trades whose id is a
// multiple of `every`, with an order the bench can pair with its trade (the quantity's code) and that
// can never fill (a limit IOC buy under the trade's price).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Trade } from '@bourse/contracts';
import { snapshotContext } from '@bourse/strategy';
import { loadStrategy } from '@bourse/strategy/loader';

const baseDir = fileURLToPath(new URL('../bench/process/', import.meta.url));
const clock = { now: () => 1_800_000_000_000 };

function trade(id: number, price = '60000.00'): Trade {
  return {
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueTradeId: String(id),
    price,
    qty: '0.008',
    aggressor: 'BUY',
    venueTime: clock.now() - 5,
    receivedAt: clock.now() - 4,
  } as Trade;
}

describe('tick-to-trade bench strategy', () => {
  it('decides on one trade in `every`, the trade id coded in the quantity, a buy under the price', async () => {
    const { definition } = await loadStrategy({
      kind: 'module',
      module: './t2t-strategy.ts',
      export: 't2tBench',
      baseDir,
    });
    const instance = definition.instantiate({ params: { every: 20, baseLots: 100 }, instruments: ['BTC/USDT'] });
    const decided = [];
    for (let id = 1; id <= 100; id += 1) {
      const intents = instance.onTrade(trade(id), snapshotContext({}, clock));
      if (intents.length > 0) decided.push({ id, intents });
    }
    expect(decided.map((d) => d.id)).toEqual([20, 40, 60, 80, 100]);
    // id 40 → code 40 / 20 = 2 → 102 lots of 0.00001
    expect(decided[1]?.intents[0]).toMatchObject({
      instrument: 'BTC/USDT',
      side: 'BUY',
      style: 'limit',
      timeInForce: 'IOC',
      qty: '0.00102',
      price: '59700.00',
      inputs: { tradeId: '40' },
    });
  });
});
