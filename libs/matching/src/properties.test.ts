import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchingEngine } from './engine.js';
import { isMatchingError } from './errors.js';
import { BTCUSDT, manualClock } from './test-kit.js';
import type { EngineEvent, OrderSide, SelfTradePreventionMode, TimeInForce } from './types.js';

const S = 'BTCUSDT';
const ACCOUNTS = ['a', 'b', 'c'] as const;

type Command =
  | {
      kind: 'limit';
      who: number;
      side: OrderSide;
      px: number;
      qty: number;
      tif: TimeInForce;
      stp: SelfTradePreventionMode;
    }
  | { kind: 'maker'; who: number; side: OrderSide; px: number; qty: number }
  | { kind: 'market'; who: number; side: OrderSide; qty: number; byQuote: boolean }
  | { kind: 'stop'; who: number; side: OrderSide; px: number; qty: number; limit: boolean; takeProfit: boolean }
  | { kind: 'oco'; who: number; side: OrderSide; px: number; qty: number }
  | {
      kind: 'trail';
      who: number;
      side: OrderSide;
      px: number;
      qty: number;
      delta: number;
      withStop: boolean;
      limit: boolean;
      takeProfit: boolean;
    }
  | { kind: 'otoco'; who: number; side: OrderSide; px: number; qty: number; gap: number; delta: number }
  | { kind: 'oto'; who: number; side: OrderSide; px: number; qty: number; pending: 'LIMIT' | 'MARKET' | 'STOP_LOSS' }
  | { kind: 'cancelList'; who: number; pick: number }
  | { kind: 'print'; who: number; px: number }
  | { kind: 'cancel'; who: number; pick: number }
  | { kind: 'replace'; who: number; pick: number; px: number; qty: number; allowFailure: boolean };

const who = fc.integer({ min: 0, max: 2 });
const side = fc.constantFrom<OrderSide>('BUY', 'SELL');
/** Price offset in dollars around 30000; quantity in thousandths of a BTC. */
const px = fc.integer({ min: -4, max: 4 });
const qty = fc.integer({ min: 1, max: 60 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      who,
      side,
      px,
      qty,
      tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'IOC', 'FOK'),
      stp: fc.constantFrom<SelfTradePreventionMode>('NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('maker' as const), who, side, px, qty }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('market' as const), who, side, qty, byQuote: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('stop' as const),
      who,
      side,
      px,
      qty,
      limit: fc.boolean(),
      takeProfit: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('oco' as const), who, side, px: fc.integer({ min: 1, max: 8 }), qty }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('trail' as const),
      who,
      side,
      px,
      qty,
      delta: fc.integer({ min: 1, max: 3 }),
      withStop: fc.boolean(),
      limit: fc.boolean(),
      takeProfit: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('otoco' as const),
      who,
      side,
      px,
      qty,
      gap: fc.integer({ min: 1, max: 6 }),
      delta: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oto' as const),
      who,
      side,
      px,
      qty,
      pending: fc.constantFrom<'LIMIT' | 'MARKET' | 'STOP_LOSS'>('LIMIT', 'MARKET', 'STOP_LOSS'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancelList' as const), who, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('print' as const), who, px }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who, pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      who,
      pick: fc.nat(),
      px,
      qty,
      allowFailure: fc.boolean(),
    }),
  },
);

const price = (offset: number) => `${30000 + offset}`;
const quantity = (thousandths: number) => (thousandths / 1000).toFixed(3);

function newWorld(events?: EngineEvent[]): MatchingEngine {
  const clock = manualClock();
  const engine = new MatchingEngine({ clock, onEvent: events === undefined ? undefined : (e) => events.push(e) });
  engine.addSymbol(BTCUSDT);
  for (const id of ACCOUNTS) {
    engine.deposit(id, 'BTC', '1');
    engine.deposit(id, 'USDT', '30000');
  }
  return engine;
}

/** Applies one command; rejections are an expected outcome of random input. */
function apply(engine: MatchingEngine, c: Command): void {
  const accountId = ACCOUNTS[c.who] as string;
  try {
    switch (c.kind) {
      case 'limit':
        engine.placeOrder({
          accountId,
          symbol: S,
          side: c.side,
          type: 'LIMIT',
          timeInForce: c.tif,
          price: price(c.px),
          quantity: quantity(c.qty),
          selfTradePreventionMode: c.stp,
        });
        break;
      case 'maker':
        engine.placeOrder({
          accountId,
          symbol: S,
          side: c.side,
          type: 'LIMIT_MAKER',
          price: price(c.px),
          quantity: quantity(c.qty),
        });
        break;
      case 'market':
        engine.placeOrder(
          c.byQuote
            ? { accountId, symbol: S, side: c.side, type: 'MARKET', quoteOrderQty: `${c.qty * 30}` }
            : { accountId, symbol: S, side: c.side, type: 'MARKET', quantity: quantity(c.qty) },
        );
        break;
      case 'stop': {
        const type = c.takeProfit
          ? c.limit
            ? 'TAKE_PROFIT_LIMIT'
            : 'TAKE_PROFIT'
          : c.limit
            ? 'STOP_LOSS_LIMIT'
            : 'STOP_LOSS';
        engine.placeOrder({
          accountId,
          symbol: S,
          side: c.side,
          type,
          quantity: quantity(c.qty),
          stopPrice: price(c.px),
          ...(c.limit ? { price: price(c.px), timeInForce: 'GTC' as const } : {}),
        });
        break;
      }
      case 'oco': {
        const last = Number(engine.lastPrice(S) ?? '30000');
        const up = `${last + c.px}`;
        const down = `${last - c.px}`;
        engine.placeOco({
          accountId,
          symbol: S,
          side: c.side,
          quantity: quantity(c.qty),
          price: c.side === 'SELL' ? up : down,
          stopPrice: c.side === 'SELL' ? down : up,
        });
        break;
      }
      case 'trail': {
        const type = c.takeProfit
          ? c.limit
            ? 'TAKE_PROFIT_LIMIT'
            : 'TAKE_PROFIT'
          : c.limit
            ? 'STOP_LOSS_LIMIT'
            : 'STOP_LOSS';
        engine.placeOrder({
          accountId,
          symbol: S,
          side: c.side,
          type,
          quantity: quantity(c.qty),
          trailingDelta: c.delta,
          ...(c.withStop ? { stopPrice: price(c.px) } : {}),
          ...(c.limit ? { price: price(c.px), timeInForce: 'GTC' as const } : {}),
        });
        break;
      }
      case 'otoco': {
        // Enter at px; exit the other way with a take-profit `gap` beyond and a (maybe trailing) stop `gap` short.
        const exit: OrderSide = c.side === 'BUY' ? 'SELL' : 'BUY';
        const entry = 30000 + c.px;
        const profit = `${c.side === 'BUY' ? entry + c.gap : entry - c.gap}`;
        const stop = `${c.side === 'BUY' ? entry - c.gap : entry + c.gap}`;
        const profitLeg = { type: 'LIMIT_MAKER' as const, price: profit };
        const stopLeg = {
          type: 'STOP_LOSS' as const,
          ...(c.delta > 0 ? { trailingDelta: c.delta } : { stopPrice: stop }),
        };
        engine.placeOtoco({
          accountId,
          symbol: S,
          working: { type: 'LIMIT', side: c.side, quantity: quantity(c.qty), price: `${entry}`, timeInForce: 'GTC' },
          pendingSide: exit,
          pendingQuantity: quantity(c.qty),
          pendingAbove: exit === 'SELL' ? profitLeg : stopLeg,
          pendingBelow: exit === 'SELL' ? stopLeg : profitLeg,
        });
        break;
      }
      case 'oto': {
        const exit: OrderSide = c.side === 'BUY' ? 'SELL' : 'BUY';
        const entry = 30000 + c.px;
        const q = quantity(c.qty);
        const pending =
          c.pending === 'LIMIT'
            ? { type: 'LIMIT' as const, side: exit, quantity: q, price: `${entry}`, timeInForce: 'GTC' as const }
            : c.pending === 'MARKET'
              ? { type: 'MARKET' as const, side: exit, quantity: q }
              : {
                  type: 'STOP_LOSS' as const,
                  side: exit,
                  quantity: q,
                  stopPrice: `${exit === 'SELL' ? entry - 3 : entry + 3}`,
                };
        engine.placeOto({
          accountId,
          symbol: S,
          working: { type: 'LIMIT', side: c.side, quantity: q, price: `${entry}`, timeInForce: 'GTC' },
          pending,
        });
        break;
      }
      case 'print': {
        // Two accounts trade 0.001 at px between themselves: the market moves, stops and trailing stops see it.
        const buyer = ACCOUNTS[(c.who + 1) % ACCOUNTS.length] as string;
        const q = quantity(1);
        engine.placeOrder({
          accountId,
          symbol: S,
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: price(c.px),
          quantity: q,
        });
        engine.placeOrder({
          accountId: buyer,
          symbol: S,
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'IOC',
          price: price(c.px),
          quantity: q,
        });
        break;
      }
      case 'cancelList': {
        const lists = engine.getOpenOrderLists(accountId, S);
        const l = lists[c.pick % Math.max(lists.length, 1)];
        if (l !== undefined) engine.cancelOrderList({ accountId, symbol: S, orderListId: l.orderListId });
        break;
      }
      case 'cancel': {
        const open = engine.getOpenOrders(accountId, S);
        const o = open[c.pick % Math.max(open.length, 1)];
        if (o !== undefined) engine.cancelOrder({ accountId, symbol: S, orderId: o.orderId });
        break;
      }
      case 'replace': {
        const open = engine.getOpenOrders(accountId, S);
        const o = open[c.pick % Math.max(open.length, 1)];
        engine.cancelReplace({
          accountId,
          symbol: S,
          cancelReplaceMode: c.allowFailure ? 'ALLOW_FAILURE' : 'STOP_ON_FAILURE',
          cancelOrderId: o?.orderId ?? 999_999,
          side: o?.side ?? 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: price(c.px),
          quantity: quantity(c.qty),
        });
        break;
      }
    }
  } catch (err) {
    if (!isMatchingError(err)) throw err;
  }
}

function checkInvariants(engine: MatchingEngine): void {
  const book = engine.bookTicker(S);
  if (Number(book.bidQty) > 0 && Number(book.askQty) > 0) {
    expect(Number(book.bidPrice)).toBeLessThan(Number(book.askPrice));
  }
  expect(engine.totalOf('BTC')).toBe('3.00000000');
  expect(engine.totalOf('USDT')).toBe('90000.00000000');
  for (const id of engine.listAccounts()) {
    for (const b of engine.getBalances(id)) {
      expect(b.free.startsWith('-') || b.locked.startsWith('-')).toBe(false);
    }
  }
  for (const id of ACCOUNTS) {
    for (const o of engine.getAllOrders(id, S)) {
      expect(BigInt(o.executedQty.replace('.', ''))).toBeLessThanOrEqual(BigInt(o.origQty.replace('.', '')));
    }
  }
}

const sequences = fc.array(command, { minLength: 1, maxLength: 80 });

describe('matching engine properties', () => {
  it('never crosses the book, conserves assets, keeps balances non-negative and fills within origQty', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const engine = newWorld();
        for (const c of commands) {
          apply(engine, c);
          checkInvariants(engine);
        }
        // Every lock belongs to an open order: cancelling them all leaves nothing locked.
        for (const id of ACCOUNTS) engine.cancelOpenOrders(id, S);
        for (const id of engine.listAccounts()) {
          for (const b of engine.getBalances(id)) expect(b.locked).toBe('0.00000000');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives identical events for the same sequence, also after a snapshot and restore', () => {
    fc.assert(
      fc.property(sequences, fc.nat(), (commands, cut) => {
        const first: EngineEvent[] = [];
        const a = newWorld(first);
        for (const c of commands) apply(a, c);
        const second: EngineEvent[] = [];
        const b = newWorld(second);
        for (const c of commands) apply(b, c);
        expect(second).toEqual(first);

        const split = cut % (commands.length + 1);
        const restoredEvents: EngineEvent[] = [];
        const c0 = newWorld();
        for (const c of commands.slice(0, split)) apply(c0, c);
        const tail: EngineEvent[] = [];
        const original = newWorld();
        for (const c of commands.slice(0, split)) apply(original, c);
        original.setListener((e) => tail.push(e));
        const restored = MatchingEngine.restore(
          JSON.parse(JSON.stringify(c0.snapshot())) as ReturnType<MatchingEngine['snapshot']>,
          {
            clock: manualClock(),
            onEvent: (e) => restoredEvents.push(e),
          },
        );
        for (const c of commands.slice(split)) {
          apply(original, c);
          apply(restored, c);
        }
        expect(restoredEvents).toEqual(tail);
        expect(restored.snapshot()).toEqual(original.snapshot());
      }),
      { numRuns: 100 },
    );
  });
});
