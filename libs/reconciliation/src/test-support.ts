// Builders for the reconciler's tests: one BTC/USDT account on venue `binance`, our orders made by
// the real client order id generator so they parse as ours.
import type { ClientOrderId, InstrumentSymbol, OrderStatus, Side, VenueFillId, VenueOrderId } from '@bourse/contracts';
import { ClientOrderIdGenerator } from '@bourse/domain';
import type { Balance, VenueOrder, VenueTrade } from '@bourse/venues';
import { parseReconcilerConfig, type ReconcilerConfig, type ReconcilerConfigInput } from './config.js';
import type { OurOrder, ReconcileInput } from './types.js';

export const T0 = 1_700_000_000_000;
export const BTCUSDT = 'BTC/USDT' as InstrumentSymbol;

const ids = new ClientOrderIdGenerator({ instanceTag: '0a7f', clock: () => T0 });

export function ourClientOrderId(strategyId = 'sma-cross'): ClientOrderId {
  return ids.next(strategyId, '1');
}

export function config(overrides: ReconcilerConfigInput = {}): ReconcilerConfig {
  return parseReconcilerConfig({ tolerances: {}, ...overrides });
}

export function ourOrder(overrides: Partial<OurOrder> & { clientOrderId: string }): OurOrder {
  return {
    venueOrderId: undefined,
    instrument: BTCUSDT,
    strategyId: 'sma-cross',
    side: 'BUY',
    status: 'new',
    filledQty: '0',
    ...overrides,
  };
}

export function venueOrder(
  overrides: Partial<VenueOrder> & { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId },
): VenueOrder {
  return {
    symbol: BTCUSDT,
    side: 'BUY',
    style: 'limit',
    timeInForce: 'GTC',
    status: 'new' as OrderStatus,
    venueStatus: 'NEW',
    price: '64000',
    stopPrice: undefined,
    quantity: '1',
    cumulativeQuantity: '0',
    cumulativeQuote: '0',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function trade(
  id: string,
  venueOrderId: string,
  side: Side,
  quantity: string,
  price: string,
  overrides: Partial<VenueTrade> = {},
): VenueTrade {
  return {
    symbol: BTCUSDT,
    venueFillId: id as VenueFillId,
    venueOrderId: venueOrderId as VenueOrderId,
    side,
    price,
    quantity,
    quoteQuantity: '0',
    commission: '0',
    commissionAsset: 'USDT',
    liquidity: 'maker',
    time: T0 + Number(id),
    ...overrides,
  };
}

export function balance(asset: string, free: string, locked = '0'): Balance {
  return { asset, free, locked };
}

/** A quiet account: nothing open, nothing traded, balances that agree. */
export function input(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    runId: 'run-1',
    venue: 'binance',
    trigger: 'schedule',
    startedAt: T0 + 60_000,
    checkpoint: {},
    venueSide: { openOrders: [], queriedOrders: [], trades: [], balances: [balance('USDT', '1000')] },
    ours: { loadedAt: T0 + 60_000, orders: [], fills: [], positions: [], balances: [balance('USDT', '1000')] },
    prices: { BTC: '64000' },
    ...overrides,
  };
}
