// Builders for the risk gate's tests: one venue, two instruments, limits wide enough that only the
// rule under test trips, and messages as their contracts define them (parsed, so a fixture that
// breaks its contract fails loudly instead of testing nonsense).
import {
  ExecutionEvent,
  Intent,
  OrderRequest,
  Quote,
  TradingState,
  type TradingMode,
  type TradingStateScope,
} from '@bourse/contracts';
import { ClientOrderIdGenerator, InstrumentRegistry, dec, spotInstrument, type InstrumentSpec } from '@bourse/domain';
import { parseLimits, type LimitsConfig } from './limits/limits.js';
import { RiskGateCore } from './risk-gate-core.js';
import { DAY_MS } from './daily-pnl.js';
import { RiskState } from './risk-state.js';
import { remainingQty } from './tracked-order.js';
import type { Clock } from './types.js';

export const VENUE = 'binance';
/** 2024-03-15 (a Friday) 12:00:00 UTC. */
export const T0 = Date.UTC(2024, 2, 15, 12, 0, 0);

export const BTC: InstrumentSpec = spotInstrument('BTC/USDT', VENUE, 'BTCUSDT', {
  tickSize: dec('0.01'),
  minPrice: dec('0.01'),
  maxPrice: dec('1000000'),
  stepSize: dec('0.00001'),
  minQty: dec('0.00001'),
  maxQty: dec('9000'),
  minNotional: dec('5'),
  minNotionalAppliesToMarket: true,
});
export const ETH: InstrumentSpec = spotInstrument('ETH/USDT', VENUE, 'ETHUSDT', {
  tickSize: dec('0.01'),
  stepSize: dec('0.0001'),
  minQty: dec('0.0001'),
  maxQty: dec('10000'),
  minNotional: dec('5'),
});

export function registry(): InstrumentRegistry {
  return new InstrumentRegistry(VENUE, [BTC, ETH]);
}

export class ManualClock implements Clock {
  constructor(public ms: number = T0) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Limits loose enough that nothing trips unless a test tightens it. */
export function limits(overrides: Record<string, unknown> = {}): LimitsConfig {
  const base = {
    v: 1,
    whenGlobalStateMissing: 'ACTIVE',
    defaults: {
      maxOrderQty: '100',
      maxOrderNotional: '1000000',
      maxPosition: '1000',
      maxAggregatePosition: '1000',
      priceBandBps: '1000',
      maxQuoteAgeMs: 5_000,
      maxOpenOrders: 100,
      orderRate: { maxOrders: 100, windowMs: 1_000 },
      rejectionCooldown: { afterRejections: 100, cooldownMs: 10_000 },
    },
  };
  return parseLimits(merge(base, overrides));
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

let intentSeq = 0;
/** A limit BUY of 0.1 BTC at 50 000 by strategy `alpha`. */
export function intent(fields: Record<string, unknown> = {}): Intent {
  intentSeq++;
  return Intent.parse({
    v: 1,
    id: `intent-${intentSeq}`,
    strategyId: 'alpha',
    strategyVersion: '1',
    venue: VENUE,
    instrument: 'BTC/USDT',
    side: 'BUY',
    qty: '0.1',
    style: 'limit',
    price: '50000',
    reduceOnly: false,
    inputs: {},
    createdAt: T0 - 10,
    ...fields,
  });
}

export function quote(instrument: string, bid: string, ask: string, receivedAt = T0): Quote {
  return Quote.parse({
    v: 1,
    venue: VENUE,
    instrument,
    bidPrice: bid,
    bidQty: '1',
    askPrice: ask,
    askQty: '1',
    receivedAt,
  });
}

export function tradingState(scope: TradingStateScope, mode: TradingMode, updatedAt = T0 - 1_000): TradingState {
  return TradingState.parse({ v: 1, scope, mode, reason: 'test', setBy: 'operator', updatedAt });
}

let fillSeq = 0;
export function fill(fields: {
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  qty: string;
  price: string;
  instrument?: string;
  venueFillId?: string;
  eventId?: string;
  venueTime?: number;
  fee?: string;
  feeAsset?: string;
}): ExecutionEvent {
  fillSeq++;
  const venueFillId = fields.venueFillId ?? `f${fillSeq}`;
  return ExecutionEvent.parse({
    v: 1,
    type: 'fill',
    eventId: fields.eventId ?? `fill:${venueFillId}`,
    venue: VENUE,
    venueFillId,
    clientOrderId: fields.clientOrderId,
    venueOrderId: `vo-${fields.clientOrderId}`,
    instrument: fields.instrument ?? 'BTC/USDT',
    side: fields.side,
    qty: fields.qty,
    price: fields.price,
    fee: fields.fee ?? '0',
    feeAsset: fields.feeAsset ?? 'USDT',
    liquidity: 'maker',
    venueTime: fields.venueTime ?? T0 - 60_000,
  });
}

export function status(
  clientOrderId: string,
  statusValue: string,
  fields: { filledQty?: string; quote?: string; avgPrice?: string; eventId?: string; instrument?: string } = {},
): ExecutionEvent {
  const filled = fields.filledQty ?? '0';
  return ExecutionEvent.parse({
    v: 1,
    type: 'order-status',
    eventId: fields.eventId ?? `status:${clientOrderId}:${statusValue}:${filled}`,
    venue: VENUE,
    instrument: fields.instrument ?? 'BTC/USDT',
    clientOrderId,
    status: statusValue,
    filledQty: filled,
    cumulativeQuoteQty: fields.quote ?? '0',
    ...(fields.avgPrice ? { avgPrice: fields.avgPrice } : {}),
    venueTime: T0 - 30_000,
  });
}

let orderSeq = 0;
/** An accepted order request as the gate would have made it (a limit BUY of 0.1 BTC at 50 000 by `alpha`). */
export function orderRequest(fields: Record<string, unknown> = {}): OrderRequest {
  orderSeq++;
  const strategyId = (fields.strategyId as string | undefined) ?? 'alpha';
  const instrument = (fields.instrument as string | undefined) ?? 'BTC/USDT';
  return OrderRequest.parse({
    v: 1,
    clientOrderId: `${strategyId}:1:0000${(T0 - 5_000).toString(36).padStart(8, '0')}${orderSeq.toString(36).padStart(3, '0')}`,
    intentId: `prior-${orderSeq}`,
    strategyId,
    strategyVersion: '1',
    venue: VENUE,
    instrument,
    venueSymbol: instrument.replace('/', ''),
    side: 'BUY',
    qty: '0.1',
    style: 'limit',
    price: '50000',
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: T0 - 5_000,
    ...fields,
  });
}

/** A state with a fresh two-sided BTC and ETH quote and plenty of USDT and BTC. */
export function freshState(): RiskState {
  const state = new RiskState({ venue: VENUE });
  state.applyQuote(quote('BTC/USDT', '49990', '50010'));
  state.applyQuote(quote('ETH/USDT', '2999', '3001'));
  state.applyBalances({
    asOf: T0 - 120_000,
    balances: {
      USDT: { free: dec('1000000'), locked: dec('0') },
      BTC: { free: dec('100'), locked: dec('0') },
      ETH: { free: dec('1000'), locked: dec('0') },
    },
  });
  return state;
}

export function gate(state = freshState(), config = limits(), clock = new ManualClock()): RiskGateCore {
  const ids = new ClientOrderIdGenerator({ instanceTag: '0000', clock: () => clock.now() });
  return new RiskGateCore({ state, limits: config, registry: registry(), clock, ids });
}

/** Gives `strategyId` a filled position: an accepted order, its fill and its `filled` status. */
export function seedPosition(
  state: RiskState,
  strategyId: string,
  side: 'BUY' | 'SELL',
  qty: string,
  price: string,
  opts: { instrument?: string; venueTime?: number } = {},
): void {
  const instrument = opts.instrument ?? 'BTC/USDT';
  const order = orderRequest({ strategyId, instrument, side, qty, price });
  state.recordAccepted(order);
  state.applyExecutionEvent(
    fill({ clientOrderId: order.clientOrderId, side, qty, price, instrument, venueTime: opts.venueTime }),
  );
  state.applyExecutionEvent(
    status(order.clientOrderId, 'filled', {
      filledQty: qty,
      quote: dec(qty).times(dec(price)).toString(),
      avgPrice: price,
      instrument,
    }),
  );
}

/** Rule names of a rejection, or [] for an acceptance. */
export function failedRules(result: { decision: { outcome: string; failures?: { rule: string }[] } }): string[] {
  return result.decision.outcome === 'rejected' ? (result.decision.failures ?? []).map((f) => f.rule) : [];
}

/** The failures of one rule in a rejection. */
export function failuresOf(
  result: {
    decision: { outcome: string; failures?: { rule: string; limit?: string; actual?: string; message: string }[] };
  },
  rule: string,
): { rule: string; limit?: string; actual?: string; message: string }[] {
  return (result.decision.failures ?? []).filter((f) => f.rule === rule);
}

/** Everything a rule can read, as plain strings, to compare two states. */
export function stateView(s: RiskState, now = T0): unknown {
  const pnl = (strategyId?: string) =>
    [...s.dailyPnl(now, strategyId)].map(([asset, p]) => [asset, p.realized.toString(), p.total.toString()]);
  return {
    positions: s.positions().map((p) => ({
      key: `${p.strategyId}|${p.instrument}`,
      qty: p.qty.toString(),
      realized: p.realizedPnl.toString(),
      lots: p.lots.map((l) => `${l.qty.toString()}@${l.price.toString()}`),
    })),
    open: s
      .openOrders()
      .map((o) => `${o.clientOrderId} ${remainingQty(o, undefined).toString()} ${o.eventSeen}`)
      .sort(),
    openByStrategy: ['alpha', 'beta'].map((id) => s.openOrdersOf(id).length),
    committed: ['USDT', 'BTC'].map((a) => s.committed(a).toString()),
    available: ['USDT', 'BTC'].map((a) => s.available(a).toString()),
    aggregate: s.aggregatePosition('BTC/USDT').toString(),
    pnl: [pnl(), pnl('alpha'), pnl('beta'), [...s.dailyPnl(now - DAY_MS)].map(([a, p]) => [a, p.realized.toString()])],
    strategiesOn: s.strategiesOn('BTC/USDT'),
  };
}
