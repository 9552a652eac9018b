import type { ClientOrderId, VenueOrderId } from '@bourse/contracts';
import { ReconciliationReport, TradingState } from '@bourse/contracts';
import { describe, expect, it } from 'vitest';
import { ReconcileInputError } from './errors.js';
import { ordersToQuery } from './orders.js';
import { reconcile } from './reconcile.js';
import { BTCUSDT, T0, balance, config, input, ourClientOrderId, ourOrder, trade, venueOrder } from './test-support.js';
import type { ReconcileInput } from './types.js';

const NOW = T0 + 61_000;
const vid = (id: string) => id as VenueOrderId;

describe('reconcile: missed fills', () => {
  const id = ourClientOrderId();
  // We sent a BUY of 1 BTC at 64000 and saw nothing since; the venue filled 0.4 of it (fee in BTC).
  const before: ReconcileInput = input({
    venueSide: {
      openOrders: [
        venueOrder({
          clientOrderId: id,
          venueOrderId: vid('28'),
          status: 'partially-filled',
          venueStatus: 'PARTIALLY_FILLED',
          cumulativeQuantity: '0.4',
          cumulativeQuote: '25600',
          updatedAt: T0 + 101,
        }),
      ],
      queriedOrders: [],
      trades: [trade('101', '28', 'BUY', '0.4', '64000', { commission: '0.0004', commissionAsset: 'BTC' })],
      balances: [balance('USDT', '36000', '38400'), balance('BTC', '0.3996')],
    },
    ours: {
      loadedAt: T0 + 60_000,
      orders: [ourOrder({ clientOrderId: id, venueOrderId: '28' })],
      fills: [],
      positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '0', fees: {} }],
      balances: [balance('USDT', '61600', '38400')],
    },
  });

  it('feeds a missed fill to the OMS with the event id the stream would have used, and no drift', () => {
    const result = reconcile(before, config(), NOW);
    expect(result.effects.fills).toEqual([
      {
        v: 1,
        type: 'fill',
        eventId: 'binance:fill:BTCUSDT:101',
        venue: 'binance',
        venueFillId: '101',
        clientOrderId: id,
        venueOrderId: '28',
        instrument: 'BTC/USDT',
        side: 'BUY',
        qty: '0.4',
        price: '64000',
        fee: '0.0004',
        feeAsset: 'BTC',
        liquidity: 'maker',
        venueTime: T0 + 101,
      },
    ]);
    expect(result.report.missedFillsRecovered).toEqual(['101']);
    expect(result.effects.orderUpdates.map((u) => [u.status, u.filledQty, u.avgPrice])).toEqual([
      ['partially-filled', '0.4', '64000'],
    ]);
    expect(result.report.differences.balances).toEqual([]);
    expect(result.report.differences.positions).toEqual([]);
    expect(result.report.verdict).toBe('ok');
    expect(result.effects.halt).toBeUndefined();
    // Booked and then equal: a halt the reconciler wrote for it may be lifted, naming the trade.
    expect(result.effects.resume).toMatchObject({ mode: 'ACTIVE', setBy: 'reconciler', scope: { kind: 'global' } });
    expect(result.effects.resume?.reason).toContain('101');
    expect(result.checkpoint).toEqual({ [BTCUSDT]: { lastTradeId: '101', lastTradeTime: T0 + 101 } });
    expect(ReconciliationReport.safeParse(result.report).success).toBe(true);
  });

  it('recovers it exactly once: a second run with the fill stored has nothing left to do', () => {
    const first = reconcile(before, config(), NOW);
    expect(reconcile(before, config(), NOW).effects).toEqual(first.effects);
    const after: ReconcileInput = {
      ...before,
      runId: 'run-2',
      ours: {
        ...before.ours,
        orders: [ourOrder({ clientOrderId: id, venueOrderId: '28', status: 'partially-filled', filledQty: '0.4' })],
        fills: [{ instrument: BTCUSDT, venueFillId: '101', side: 'BUY', qty: '0.4', price: '64000' }],
        positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '0.4', fees: { BTC: '0.0004' } }],
        balances: before.venueSide.balances,
      },
    };
    for (const checkpoint of [before.checkpoint, first.checkpoint]) {
      const second = reconcile({ ...after, checkpoint }, config(), NOW);
      expect(second.effects).toEqual({ fills: [], orderUpdates: [], cancels: [], halt: undefined });
      expect(second.report.missedFillsRecovered).toEqual([]);
      expect(second.report.verdict).toBe('ok');
    }
  });

  it('ties a fill to our order through the client order id when we never heard the venue order id', () => {
    const pending = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [
            venueOrder({
              clientOrderId: pending,
              venueOrderId: vid('29'),
              side: 'SELL',
              status: 'filled',
              venueStatus: 'FILLED',
              quantity: '0.1',
              cumulativeQuantity: '0.1',
              cumulativeQuote: '6500',
            }),
          ],
          trades: [trade('102', '29', 'SELL', '0.1', '65000')],
          balances: [balance('USDT', '7500'), balance('BTC', '0.9')],
        },
        ours: {
          loadedAt: T0 + 60_000,
          orders: [ourOrder({ clientOrderId: pending, side: 'SELL', status: 'pending-new' })],
          fills: [],
          positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '1', fees: {} }],
          balances: [balance('USDT', '1000'), balance('BTC', '1')],
        },
      }),
      config(),
      NOW,
    );
    expect(result.effects.fills.map((f) => [f.clientOrderId, f.venueOrderId, f.side, f.qty])).toEqual([
      [pending, '29', 'SELL', '0.1'],
    ]);
    expect(result.effects.orderUpdates.map((u) => [u.clientOrderId, u.status, u.filledQty])).toEqual([
      [pending, 'filled', '0.1'],
    ]);
    expect(result.report.verdict).toBe('ok');
  });

  it('reports a trade of an order that is not ours, sends no fill, and its balance effect halts', () => {
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [],
          trades: [trade('103', '999', 'BUY', '0.01', '64000')],
          balances: [balance('USDT', '360'), balance('BTC', '0.01')],
        },
      }),
      config(),
      NOW,
    );
    expect(result.effects.fills).toEqual([]);
    expect(result.report.differences.fills).toEqual([{ key: '103', expected: null, actual: '0.01' }]);
    expect(result.report.verdict).toBe('drift-halted');
    // A halting run proves nothing complete: the next run examines the same trades again.
    expect(result.checkpoint).toEqual({});
    expect(result.effects.resume).toBeUndefined();
  });

  it('counts a trade made after our side was read, of an order we do not know yet, as in flight: no drift, no fill sent, the checkpoint stops before it', () => {
    const ours = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [],
          // 103 is ours and stored; 60500 came after our side was read (loadedAt T0 + 60 000) of an
          // order placed meanwhile, so no order of ours in the snapshot names it.
          trades: [trade('103', '555', 'BUY', '0.01', '64000'), trade('60500', '999', 'BUY', '0.01', '64000')],
          balances: [balance('USDT', '-280'), balance('BTC', '0.02')],
        },
        ours: {
          loadedAt: T0 + 60_000,
          orders: [ourOrder({ clientOrderId: ours, venueOrderId: vid('555'), status: 'filled', filledQty: '0.01' })],
          fills: [
            {
              instrument: BTCUSDT,
              venueFillId: '103',
              side: 'BUY',
              qty: '0.01',
              price: '64000',
            },
          ],
          positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '0.01', fees: {} }],
          balances: [balance('USDT', '360'), balance('BTC', '0.01')],
        },
      }),
      config(),
      NOW,
    );
    expect(result.report.verdict).toBe('ok');
    expect(result.effects.fills).toEqual([]);
    expect(result.checkpoint[BTCUSDT]?.lastTradeId).toBe('103');
  });

  it('counts a trade of a submission the OMS is still settling as in flight, though made before our side was read', () => {
    // The OMS journaled the order and died in the venue call: no order row, only its outbox entry.
    // The venue filled it before our side was read; a query by client order id ties the trade to it.
    const submitted = ourClientOrderId();
    const atVenue = venueOrder({
      clientOrderId: submitted,
      venueOrderId: vid('777'),
      status: 'filled',
      venueStatus: 'FILLED',
      cumulativeQuantity: '0.01',
    });
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [atVenue],
          trades: [trade('59000', '777', 'BUY', '0.01', '64000')],
          balances: [balance('USDT', '360'), balance('BTC', '0.01')],
        },
        ours: { ...input().ours, submissions: [{ clientOrderId: submitted, instrument: BTCUSDT }] },
      }),
      config(),
      NOW,
    );
    expect(result.report.verdict).toBe('ok');
    // Not sent to the OMS (it books the trade when it settles the submission); examined again next run.
    expect(result.effects.fills).toEqual([]);
    expect(result.checkpoint).toEqual({});
  });

  it('asks the venue about submissions in flight it does not list as open', () => {
    const submitted = ourClientOrderId();
    const resting = ourClientOrderId();
    const open = venueOrder({ clientOrderId: resting, venueOrderId: vid('5') });
    expect(
      ordersToQuery(
        [],
        [open],
        [
          { clientOrderId: submitted, instrument: BTCUSDT },
          { clientOrderId: resting, instrument: BTCUSDT },
        ],
      ),
    ).toEqual([{ symbol: BTCUSDT, clientOrderId: submitted }]);
  });

  it('still halts on a trade of an unknown order made before our side was read', () => {
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [],
          trades: [trade('59999', '999', 'BUY', '0.01', '64000')],
          balances: [balance('USDT', '360'), balance('BTC', '0.01')],
        },
      }),
      config(),
      NOW,
    );
    expect(result.report.verdict).toBe('drift-halted');
    expect(result.checkpoint).toEqual({});
  });

  it('halts when the venue and our store disagree about a fill they both have', () => {
    const id2 = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: {
          openOrders: [],
          queriedOrders: [],
          trades: [trade('104', '31', 'BUY', '0.4', '64000')],
          balances: [balance('USDT', '1000')],
        },
        ours: {
          ...input().ours,
          orders: [ourOrder({ clientOrderId: id2, venueOrderId: '31', status: 'filled', filledQty: '0.3' })],
          fills: [{ instrument: BTCUSDT, venueFillId: '104', side: 'BUY', qty: '0.3', price: '64000' }],
        },
      }),
      config(),
      NOW,
    );
    expect(result.effects.fills).toEqual([]);
    expect(result.report.differences.fills).toEqual([{ key: '104', expected: '0.3', actual: '0.4' }]);
    expect(result.report.verdict).toBe('drift-halted');
    expect(result.haltReasons.join()).toContain('fill 104 on BTC/USDT differs: ours BUY 0.3 @ 64000');
  });
});

describe('reconcile: orders', () => {
  it('closes an order the venue has closed, from the venue state', () => {
    const filled = ourClientOrderId();
    const canceled = ourClientOrderId();
    const vanished = ourClientOrderId();
    const ours = [
      ourOrder({ clientOrderId: filled, venueOrderId: '40', status: 'partially-filled', filledQty: '0.5' }),
      ourOrder({ clientOrderId: canceled, venueOrderId: '41' }),
      ourOrder({ clientOrderId: vanished, status: 'pending-new' }),
      ourOrder({ clientOrderId: ourClientOrderId(), venueOrderId: '43', status: 'canceled' }),
    ];
    expect(ordersToQuery(ours, [])).toEqual([
      { symbol: BTCUSDT, clientOrderId: filled },
      { symbol: BTCUSDT, clientOrderId: canceled },
      { symbol: BTCUSDT, clientOrderId: vanished },
    ]);
    const queried = [
      venueOrder({
        clientOrderId: filled,
        venueOrderId: vid('40'),
        status: 'filled',
        venueStatus: 'FILLED',
        cumulativeQuantity: '1',
        cumulativeQuote: '64000.5',
        updatedAt: T0 + 500,
      }),
      venueOrder({ clientOrderId: canceled, venueOrderId: vid('41'), status: 'canceled', venueStatus: 'CANCELED' }),
    ];
    const result = reconcile(
      input({
        venueSide: { ...input().venueSide, queriedOrders: queried },
        ours: { ...input().ours, orders: ours },
      }),
      config(),
      NOW,
    );
    expect(
      result.effects.orderUpdates.map((u) => [u.clientOrderId, u.status, u.filledQty, u.avgPrice, u.eventId]),
    ).toEqual([
      [filled, 'filled', '1', '64000.5', `binance:recon:${filled}:filled:1`],
      [canceled, 'canceled', '0', undefined, `binance:recon:${canceled}:canceled:0`],
    ]);
    const byId = new Map(result.report.differences.orders.map((d) => [d.clientOrderId, d]));
    expect(byId.get(filled)).toMatchObject({ expectedStatus: 'partially-filled', actualStatus: 'filled' });
    expect(byId.get(vanished)).toMatchObject({ expectedStatus: 'pending-new', actualStatus: null });
    expect(result.report.counts.ordersChecked).toBe(3);
  });

  it('leaves an order alone while our cancel is in flight and the venue still has it open', () => {
    const id = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: { ...input().venueSide, openOrders: [venueOrder({ clientOrderId: id, venueOrderId: vid('50') })] },
        ours: {
          ...input().ours,
          orders: [ourOrder({ clientOrderId: id, venueOrderId: '50', status: 'pending-cancel' })],
        },
      }),
      config(),
      NOW,
    );
    expect(result.effects.orderUpdates).toEqual([]);
    expect(result.report.differences.orders).toEqual([]);
  });

  it('halts when we hold more of an order filled than the venue does', () => {
    const id = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: {
          ...input().venueSide,
          openOrders: [
            venueOrder({
              clientOrderId: id,
              venueOrderId: vid('51'),
              status: 'partially-filled',
              cumulativeQuantity: '0.1',
              cumulativeQuote: '6400',
            }),
          ],
        },
        ours: {
          ...input().ours,
          orders: [ourOrder({ clientOrderId: id, venueOrderId: '51', status: 'partially-filled', filledQty: '0.2' })],
        },
      }),
      config(),
      NOW,
    );
    expect(result.report.verdict).toBe('drift-halted');
    expect(result.haltReasons).toEqual([`order ${id}: we hold 0.2 filled, the venue 0.1`]);
  });
});

describe('reconcile: unknown open orders', () => {
  const foreign = venueOrder({ clientOrderId: 'web_8812' as ClientOrderId, venueOrderId: vid('60'), price: '60000' });
  const orphan = venueOrder({ clientOrderId: ourClientOrderId('other-bot'), venueOrderId: vid('61'), side: 'SELL' });
  const recent = venueOrder({
    clientOrderId: 'web_8813' as ClientOrderId,
    venueOrderId: vid('62'),
    createdAt: T0 + 58_000,
  });
  const run = (unknownOrders: 'report' | 'cancel-ours' | 'cancel-all') =>
    reconcile(
      input({ venueSide: { ...input().venueSide, openOrders: [foreign, orphan, recent] } }),
      config({ unknownOrders }),
      NOW,
    );

  it('reports them, leaving out any placed after our side was read', () => {
    const result = run('report');
    expect(result.report.unknownOpenOrders).toEqual([
      { venueOrderId: '60', clientOrderId: 'web_8812', instrument: BTCUSDT, side: 'BUY', qty: '1', price: '60000' },
      {
        venueOrderId: '61',
        clientOrderId: orphan.clientOrderId,
        instrument: BTCUSDT,
        side: 'SELL',
        qty: '1',
        price: '64000',
      },
    ]);
    expect(result.effects.cancels).toEqual([]);
    expect(result.report.verdict).toBe('ok');
  });

  it('cancels only orders with our id layout under cancel-ours, every one under cancel-all', () => {
    expect(run('cancel-ours').effects.cancels).toEqual([{ symbol: BTCUSDT, clientOrderId: orphan.clientOrderId }]);
    expect(run('cancel-all').effects.cancels.map((c) => c.clientOrderId)).toEqual(['web_8812', orphan.clientOrderId]);
  });

  it('leaves alone an open order of a submission the OMS is still settling, under any policy', () => {
    const result = reconcile(
      input({
        venueSide: { ...input().venueSide, openOrders: [orphan] },
        ours: { ...input().ours, submissions: [{ clientOrderId: orphan.clientOrderId, instrument: BTCUSDT }] },
      }),
      config({ unknownOrders: 'cancel-all' }),
      NOW,
    );
    expect(result.report.unknownOpenOrders).toEqual([]);
    expect(result.effects.cancels).toEqual([]);
  });

  it('treats an order we hold closed but the venue holds open as unknown, and names the difference', () => {
    const id = ourClientOrderId();
    const result = reconcile(
      input({
        venueSide: { ...input().venueSide, openOrders: [venueOrder({ clientOrderId: id, venueOrderId: vid('63') })] },
        ours: { ...input().ours, orders: [ourOrder({ clientOrderId: id, venueOrderId: '63', status: 'canceled' })] },
      }),
      config({ unknownOrders: 'cancel-ours' }),
      NOW,
    );
    expect(result.report.unknownOpenOrders.map((o) => o.clientOrderId)).toEqual([id]);
    expect(result.report.differences.orders).toMatchObject([{ expectedStatus: 'canceled', actualStatus: 'new' }]);
    expect(result.effects.cancels).toEqual([{ symbol: BTCUSDT, clientOrderId: id }]);
  });
});

describe('reconcile: drift', () => {
  const account = (venueBtc: string): ReconcileInput =>
    input({
      venueSide: { ...input().venueSide, balances: [balance('USDT', '1000'), balance('BTC', '0.4', venueBtc)] },
      ours: {
        ...input().ours,
        positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '0.5', fees: {} }],
        balances: [balance('USDT', '1000'), balance('BTC', '0.5')],
      },
    });
  const tolerant = config({ tolerances: { BTC: '0.0001' }, pnlDriftTolerance: '10' });

  it('is ok when the drift is within tolerance (the tolerance itself included)', () => {
    const result = reconcile(account('0.1001'), tolerant, NOW);
    expect(result.report.verdict).toBe('ok');
    expect(result.report.differences.balances).toEqual([{ key: 'BTC', expected: '0.5', actual: '0.5001' }]);
    expect(result.report.drift).toEqual({ value: '6.4', tolerance: '10', asset: 'USDT' });
    expect(result.effects.halt).toBeUndefined();
  });

  it('halts with the reason and the numbers when it is beyond', () => {
    const result = reconcile(account('0.11'), tolerant, NOW);
    expect(result.report.verdict).toBe('drift-halted');
    expect(result.report.differences.positions).toEqual([{ key: 'BTC/USDT', expected: '0.5', actual: '0.51' }]);
    expect(result.report.drift).toEqual({ value: '640', tolerance: '10', asset: 'USDT' });
    expect(result.haltReasons).toEqual([
      'balance drift BTC: expected 0.5 BTC, venue 0.51, difference 0.01 beyond tolerance 0.0001',
      'position drift BTC/USDT: expected 0.5 BTC, venue 0.51, difference 0.01 beyond tolerance 0.0001',
      'P&L drift 640 USDT beyond tolerance 10',
    ]);
    const halt = result.effects.halt;
    expect(TradingState.parse(halt)).toMatchObject({
      scope: { kind: 'global' },
      mode: 'HALTED',
      setBy: 'reconciler',
      updatedAt: NOW,
    });
    expect(halt?.reason).toContain('difference 0.01 beyond tolerance 0.0001');
  });

  it('halts on P&L drift alone, and names assets it could not value', () => {
    const result = reconcile(
      input({
        venueSide: { ...input().venueSide, balances: [balance('USDT', '1005'), balance('ETH', '0.001')] },
      }),
      config({ tolerances: { USDT: '10', ETH: '1' }, pnlDriftTolerance: '1' }),
      NOW,
    );
    expect(result.pnlDrift).toBe('5');
    expect(result.unpricedAssets).toEqual(['ETH']);
    expect(result.haltReasons).toEqual(['P&L drift 5 USDT beyond tolerance 1']);
  });

  it('finds balances equal once missed fills are counted, and drift without them', () => {
    const id = ourClientOrderId();
    const sold: ReconcileInput = input({
      venueSide: {
        openOrders: [],
        queriedOrders: [],
        trades: [trade('201', '70', 'SELL', '0.2', '65000', { commission: '0.01', commissionAsset: 'BNB' })],
        balances: [balance('BTC', '0.8'), balance('USDT', '13000'), balance('BNB', '0.99')],
      },
      ours: {
        loadedAt: T0 + 60_000,
        orders: [ourOrder({ clientOrderId: id, venueOrderId: '70', side: 'SELL', status: 'filled', filledQty: '0.2' })],
        fills: [],
        positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '1', fees: {} }],
        balances: [balance('BTC', '1'), balance('USDT', '0'), balance('BNB', '1')],
      },
      prices: { BTC: '65000', BNB: '600' },
    });
    const recovered = reconcile(sold, config(), NOW);
    expect(recovered.report.differences.balances).toEqual([]);
    expect(recovered.checks.map((c) => [c.kind, c.key, c.diff])).toEqual([
      ['balance', 'BNB', '0'],
      ['balance', 'BTC', '0'],
      ['balance', 'USDT', '0'],
      ['position', 'BTC/USDT', '0'],
    ]);
    expect(recovered.report.verdict).toBe('ok');

    const unseen = reconcile(
      { ...sold, checkpoint: { [BTCUSDT]: { lastTradeId: '201', lastTradeTime: T0 } } },
      config(),
      NOW,
    );
    expect(unseen.report.differences.balances).toEqual([
      { key: 'BNB', expected: '1', actual: '0.99' },
      { key: 'BTC', expected: '1', actual: '0.8' },
      { key: 'USDT', expected: '0', actual: '13000' },
    ]);
    expect(unseen.report.verdict).toBe('drift-halted');
  });
});

describe('reconcile: deposits and withdrawals', () => {
  it('counts booked transfers as holdings outside any position, and halts on one never booked', () => {
    const deposited: ReconcileInput = input({
      venueSide: {
        openOrders: [],
        queriedOrders: [],
        trades: [],
        balances: [balance('BTC', '1.5'), balance('USDT', '0')],
      },
      ours: {
        loadedAt: T0 + 60_000,
        orders: [],
        fills: [],
        positions: [{ strategyId: 'sma-cross', instrument: BTCUSDT, qty: '1', fees: {} }],
        balances: [balance('BTC', '1.5'), balance('USDT', '0')],
        transfers: { BTC: '0.7', USDT: '-50' },
      },
    });
    // The venue holds 0.5 BTC beyond the position: exactly the deposits the OMS booked.
    const booked = reconcile({ ...deposited, ours: { ...deposited.ours, transfers: { BTC: '0.5' } } }, config(), NOW);
    expect(booked.checks.find((c) => c.kind === 'position')?.diff).toBe('0');
    expect(booked.report.verdict).toBe('ok');

    // Booked 0.7 but only 0.5 is there: the difference is drift.
    const wrong = reconcile(deposited, config(), NOW);
    expect(wrong.report.differences.positions).toEqual([{ key: BTCUSDT, expected: '1', actual: '0.8' }]);
    expect(wrong.report.verdict).toBe('drift-halted');

    // A deposit the OMS never heard of is drift too.
    const none = reconcile({ ...deposited, ours: { ...deposited.ours, transfers: {} } }, config(), NOW);
    expect(none.report.differences.positions).toEqual([{ key: BTCUSDT, expected: '1', actual: '1.5' }]);
  });
});

describe('reconcile: config and bad input', () => {
  it('defaults to report-only, zero tolerances and no inventory', () => {
    expect(config()).toEqual({
      tolerances: {},
      defaultTolerance: '0',
      valuationAsset: 'USDT',
      pnlDriftTolerance: '0',
      inventory: {},
      unknownOrders: 'report',
      unknownOrderGraceMs: 5_000,
    });
  });

  it('names the field of a malformed decimal', () => {
    const bad = input({ venueSide: { ...input().venueSide, balances: [balance('USDT', '1e3')] } });
    expect(() => reconcile(bad, config(), NOW)).toThrow(ReconcileInputError);
    expect(() => reconcile(bad, config(), NOW)).toThrow('venue balance USDT free is invalid');
  });

  it('refuses a config with a float tolerance, naming the path', () => {
    expect(() => config({ tolerances: { BTC: 0.01 as unknown as string } })).toThrow(/tolerances\.BTC/);
    expect(() => config({ unknownOrders: 'cancel' as 'report' })).toThrow(ReconcileInputError);
  });
});
