// @bourse/execution/testing: valid messages to start tests from (an order request, venue reports,
// fills, a quote, the BTC/USDT spec), shared by this library's tests and the order manager's.
import { FillEvent, OrderRequest, OrderStatusUpdate, Quote, type OrderStatus } from '@bourse/contracts';
import { dec, spotInstrument, type InstrumentSpec } from '@bourse/domain';

export const T0 = 1_767_225_600_000;

export const BTC: InstrumentSpec = spotInstrument('BTC/USDT', 'binance', 'BTCUSDT', {
  tickSize: dec('0.01'),
  stepSize: dec('0.0001'),
  minQty: dec('0.0001'),
  marketStepSize: dec('0.0001'),
});

export function request(
  clientOrderId: string,
  changes: Partial<Record<keyof OrderRequest, unknown>> = {},
): OrderRequest {
  return OrderRequest.parse({
    v: 1,
    clientOrderId,
    intentId: `intent-${clientOrderId}`,
    strategyId: 'momo',
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '1',
    style: 'limit',
    price: '100',
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: T0,
    ...changes,
  });
}

/** A venue report as the adapter's user-data feed gives it. */
export function report(
  clientOrderId: string,
  status: OrderStatus,
  filledQty: string,
  quoteQty: string,
  at: number,
  changes: Partial<Record<keyof OrderStatusUpdate, unknown>> = {},
): OrderStatusUpdate {
  const filled = dec(filledQty).isPositive();
  return OrderStatusUpdate.parse({
    v: 1,
    type: 'order-status',
    eventId: `binance:exec:BTCUSDT:${clientOrderId}:${at}:${status}`,
    venue: 'binance',
    instrument: 'BTC/USDT',
    clientOrderId,
    venueOrderId: '7',
    status,
    filledQty,
    cumulativeQuoteQty: filled ? quoteQty : '0',
    ...(filled ? { avgPrice: dec(quoteQty).div(dec(filledQty), 8).toString() } : {}),
    venueTime: at,
    ...changes,
  });
}

export function fill(
  clientOrderId: string,
  venueFillId: string,
  qty: string,
  price: string,
  at: number,
  changes: Partial<Record<keyof FillEvent, unknown>> = {},
): FillEvent {
  return FillEvent.parse({
    v: 1,
    type: 'fill',
    eventId: `binance:fill:BTCUSDT:${venueFillId}`,
    venue: 'binance',
    venueFillId,
    clientOrderId,
    venueOrderId: '7',
    instrument: 'BTC/USDT',
    side: 'BUY',
    qty,
    price,
    fee: '0.01',
    feeAsset: 'USDT',
    liquidity: 'maker',
    venueTime: at,
    ...changes,
  });
}

export function quote(bid: string, ask: string, at: number, bidQty = '5', askQty = '5'): Quote {
  return Quote.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    bidPrice: bid,
    bidQty,
    askPrice: ask,
    askQty,
    receivedAt: at,
  });
}
