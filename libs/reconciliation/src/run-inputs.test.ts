// The pure helpers the shell uses to shape a run's input: positions from fills, the orders a run
// may meet, the trade queries, prices from quotes, and venue ids compared as the venue numbers them.
import { describe, expect, it } from 'vitest';
import { fillEventId } from './fills.js';
import { ordersForRun, positionsFromFills, type StoredFillView } from './our-view.js';
import { PriceBook } from './prices.js';
import { BTCUSDT, ourOrder, T0, venueOrder } from './test-support.js';
import { fillWindows, tradeQueries, VENUE_CLOCK_STEP_MS } from './trade-queries.js';
import { compareIds, tradeNumber } from './values.js';
import type { ClientOrderId, VenueOrderId } from '@bourse/contracts';

function fill(
  id: string,
  clientOrderId: string,
  side: 'BUY' | 'SELL',
  qty: string,
  fee = '0',
  feeAsset = 'USDT',
): StoredFillView {
  return {
    instrument: BTCUSDT,
    venueFillId: id,
    clientOrderId,
    strategyId: 'sma-cross',
    side,
    qty,
    price: '60000',
    fee,
    feeAsset,
    venueTime: T0 + Number(id.split(':')[1] ?? 0),
  };
}

describe('run inputs', () => {
  it('derives net positions and fees per strategy and instrument from fills', () => {
    const positions = positionsFromFills([
      fill('BTCUSDT:1', 'a', 'BUY', '0.5', '0.0005', 'BTC'),
      fill('BTCUSDT:2', 'b', 'SELL', '0.2', '12', 'USDT'),
    ]);
    expect(positions).toEqual([
      { strategyId: 'sma-cross', instrument: BTCUSDT, qty: '0.3', fees: { BTC: '0.0005', USDT: '12' } },
    ]);
  });

  it('adds a closed entry for orders we hold fills of but no longer hold open', () => {
    const open = ourOrder({ clientOrderId: 'open-1' });
    const orders = ordersForRun(
      [open],
      [fill('BTCUSDT:1', 'done-1', 'BUY', '0.1'), fill('BTCUSDT:2', 'done-1', 'BUY', '0.2')],
    );
    expect(orders).toEqual([
      open,
      expect.objectContaining({ clientOrderId: 'done-1', status: 'filled', filledQty: '0.3' }),
    ]);
  });

  it('keeps recently closed orders, so a trade of an order the venue answer already closed can be tied to it', () => {
    const open = ourOrder({ clientOrderId: 'open-1' });
    // Filled in the placement answer, its fills lost on the way: no stored fill names it.
    const closedAtAnswer = ourOrder({
      clientOrderId: 'mkt-1',
      status: 'filled',
      filledQty: '0.01',
      venueOrderId: '77',
    });
    const staleCopyOfOpen = ourOrder({ clientOrderId: 'open-1', status: 'filled', filledQty: '1' });
    const orders = ordersForRun([open], [], [staleCopyOfOpen, closedAtAnswer]);
    expect(orders).toEqual([open, closedAtAnswer]);
  });

  it('asks for trades from the checkpoint number, else from the oldest order that may lack fills, never from the newest fill', () => {
    const queries = tradeQueries({
      checkpoint: { 'ETH/USDT': { lastTradeId: 'ETHUSDT:41', lastTradeTime: T0 } },
      ourOpenOrders: [{ ...ourOrder({ clientOrderId: 'o' }), createdAt: T0 + 500 }],
      // Filled at the venue with its fills lost; newer orders' fills are stored after it.
      unbookedOrders: [
        { ...ourOrder({ clientOrderId: 'lost', status: 'filled', filledQty: '1' }), createdAt: T0 + 50 },
      ],
      venueOpen: [
        venueOrder({ clientOrderId: 'v' as ClientOrderId, venueOrderId: '9' as VenueOrderId, createdAt: T0 + 100 }),
      ],
      firstOrderAt: { 'BTC/USDT': T0 + 1, 'ETH/USDT': T0 - 5_000, 'SOL/USDT': T0 - 9_000 },
    });
    expect(queries).toEqual([
      { symbol: BTCUSDT, startTime: T0 + 50 },
      { symbol: 'ETH/USDT', fromId: '41' },
      // Nothing open or unbooked there and no checkpoint: from the platform's start on the account.
      { symbol: 'SOL/USDT', startTime: T0 - 9_000 },
    ]);
  });

  it('reads our fills from each checkpoint (less a venue clock step), or from the platform start where there is none', () => {
    const windows = fillWindows(
      { 'ETH/USDT': { lastTradeId: 'ETHUSDT:41', lastTradeTime: T0 } },
      { 'BTC/USDT': T0 - 100, 'ETH/USDT': T0 - 5_000 },
    );
    expect(Object.fromEntries(windows)).toEqual({ 'BTC/USDT': T0 - 100, 'ETH/USDT': T0 - VENUE_CLOCK_STEP_MS });
  });

  it('finds the fill of a trade after the checkpoint stamped earlier than it (the venue clock stepped back)', () => {
    // Trade 41 was stamped while the venue's clock ran 12 s ahead; trade 42 came after, stamped by the
    // corrected clock, so earlier. Its fill is ours and stored: it must be in the window, not "missed".
    const checkpoint = { 'BTC/USDT': { lastTradeId: 'BTCUSDT:41', lastTradeTime: T0 + 12_000 } };
    const since = fillWindows(checkpoint, { 'BTC/USDT': T0 - 60_000 }).get('BTC/USDT');
    const trade42At = T0 + 1_000;
    expect(since).toBeLessThanOrEqual(trade42At);
  });

  it('prices assets from quote mids, direct or inverted, ignoring an older quote', () => {
    const book = new PriceBook();
    book.onQuote('BTC/USDT', '59990', '60010', 2);
    book.onQuote('BTC/USDT', '1', '3', 1);
    book.onQuote('USDT/TRY', '40', '40', 1);
    book.onQuote('ETH/BTC', '0', '0.05', 1);
    expect(book.pricesIn('USDT')).toEqual({ BTC: '60000', TRY: '0.025' });
  });

  it('compares the adapter fill ids by their trade number and builds the adapter event id', () => {
    expect(compareIds('BTCUSDT:10', 'BTCUSDT:9')).toBe(1);
    expect(compareIds('12', '9')).toBe(1);
    expect(compareIds('BTCUSDT:9', 'BTCUSDT:9')).toBe(0);
    expect(tradeNumber('BTCUSDT:12345')).toBe('12345');
    expect(tradeNumber('abc')).toBeUndefined();
    expect(fillEventId('binance', 'BTC/USDT', 'BTCUSDT:12345')).toBe('binance:fill:BTCUSDT:12345');
    expect(fillEventId('binance', 'BTC/USDT', '12345')).toBe('binance:fill:BTCUSDT:12345');
  });
});
