import { describe, expect, it } from 'vitest';
import { computeFigures, figuresLine, type Facts } from './figures.js';

const clean: Facts = {
  venueOrders: [
    { symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 1_000 },
    { symbol: 'BTCUSDT', orderId: 2, clientOrderId: 'sma-btc:1:b', time: 2_000 },
  ],
  venueTrades: [{ symbol: 'BTCUSDT', id: 10, orderId: 1 }],
  storedFillIds: ['BTCUSDT:10'],
  intents: [
    { id: 'i-a', strategyId: 'sma-btc', createdAt: 900, expiresAt: 5_000 },
    { id: 'i-b', strategyId: 'sma-btc', createdAt: 1_900, expiresAt: undefined },
    { id: 'i-c', strategyId: 'sma-btc', createdAt: 1_950, expiresAt: undefined },
  ],
  decisions: [
    { intentId: 'i-a', outcome: 'accepted', clientOrderId: 'sma-btc:1:a' },
    { intentId: 'i-b', outcome: 'accepted', clientOrderId: 'sma-btc:1:b' },
    { intentId: 'i-c', outcome: 'rejected', clientOrderId: undefined },
  ],
  storedOrders: [],
  venueBalances: { USDT: '99400.5', BTC: '1.01' },
  storedBalances: { USDT: '99400.50', BTC: '1.0100' },
  venuePositions: { 'BTC/USDT': '0.01' },
  storedPositions: { 'BTC/USDT': '0.010' },
  skewWindows: [],
};

describe('computeFigures', () => {
  it('finds nothing wrong when the books agree', () => {
    const f = computeFigures(clean);
    expect(f).toMatchObject({ orders: 2, duplicates: 0, lost: 0, lostIntents: 0, late: 0, mismatches: 0 });
    expect(figuresLine(5, 23, f, 0)).toBe(
      'chaos seed=5 orders=2 faults=23 duplicates=0 lost=0 lost_intents=0 late=0 mismatches=0 halted_s=0',
    );
  });

  it('counts a second venue order per client order id and per intent', () => {
    const f = computeFigures({
      ...clean,
      venueOrders: [
        ...clean.venueOrders,
        { symbol: 'BTCUSDT', orderId: 3, clientOrderId: 'sma-btc:1:a', time: 2_500 },
        { symbol: 'BTCUSDT', orderId: 4, clientOrderId: 'sma-btc:1:a2', time: 2_600 },
      ],
      decisions: [...clean.decisions, { intentId: 'i-a', outcome: 'accepted', clientOrderId: 'sma-btc:1:a2' }],
    });
    expect(f.duplicates).toBe(2);
    expect(f.discrepancies.filter((d) => d.kind === 'duplicate').map((d) => d.ids)).toEqual([
      { clientOrderId: 'sma-btc:1:a', venueOrderIds: ['BTCUSDT:1', 'BTCUSDT:3'] },
      { intentId: 'i-a', clientOrderIds: ['sma-btc:1:a', 'sma-btc:1:a2'] },
    ]);
  });

  it('counts a venue trade without a stored fill as lost, naming it', () => {
    const f = computeFigures({
      ...clean,
      venueTrades: [...clean.venueTrades, { symbol: 'BTCUSDT', id: 11, orderId: 2 }],
    });
    expect(f.lost).toBe(1);
    expect(f.discrepancies[0]?.ids).toEqual({
      venueFillId: 'BTCUSDT:11',
      venueOrderId: 'BTCUSDT:2',
      clientOrderId: 'sma-btc:1:b',
      storedStatus: 'absent',
    });
  });

  it('counts an intent with no venue order and no recorded refusal as lost; a recorded refusal is not', () => {
    const intents = [...clean.intents, { id: 'i-d', strategyId: 'mm-btc', createdAt: 3_000, expiresAt: undefined }];
    const decisions = [
      ...clean.decisions,
      { intentId: 'i-d', outcome: 'accepted' as const, clientOrderId: 'mm-btc:1:d' },
    ];
    expect(computeFigures({ ...clean, intents, decisions }).lostIntents).toBe(1);
    expect(computeFigures({ ...clean, intents }).lostIntents).toBe(1);
    const refused = computeFigures({
      ...clean,
      intents,
      decisions,
      storedOrders: [{ clientOrderId: 'mm-btc:1:d', status: 'rejected', reason: 'expired' }],
    });
    expect(refused.lostIntents).toBe(0);
  });

  it('follows a limit chase to its children; a chase that ended on record is not lost', () => {
    const intents = [...clean.intents, { id: 'i-e', strategyId: 'mm-btc', createdAt: 3_000, expiresAt: undefined }];
    const decisions = [
      ...clean.decisions,
      { intentId: 'i-e', outcome: 'accepted' as const, clientOrderId: 'mm-btc:1:e' },
    ];
    const chase = {
      parentClientOrderId: 'mm-btc:1:e',
      status: 'active',
      outcome: null,
      reason: null,
      childClientOrderIds: ['mm-btc:1:e', 'mm-btc:1:e.1'],
    };
    const replaced = computeFigures({
      ...clean,
      intents,
      decisions,
      tactics: [chase],
      venueOrders: [
        ...clean.venueOrders,
        { symbol: 'BTCUSDT', orderId: 5, clientOrderId: 'mm-btc:1:e.1', time: 3_100 },
      ],
    });
    expect(replaced).toMatchObject({ lostIntents: 0, duplicates: 0 });
    const stopped = {
      ...chase,
      status: 'done',
      outcome: 'stopped',
      reason: 'the window ended',
      childClientOrderIds: [],
    };
    expect(computeFigures({ ...clean, intents, decisions, tactics: [stopped] }).lostIntents).toBe(0);
    const stuck = computeFigures({
      ...clean,
      intents,
      decisions,
      outbox: [{ clientOrderId: 'mm-btc:1:e', state: 'pending', lastError: null }],
    });
    expect(stuck.lostIntents).toBe(1);
    expect(stuck.discrepancies[0]?.ids).toMatchObject({ outbox: ['pending: '], tactic: ['none'] });
  });

  it('judges lateness on the real clock, taking a skew window out of the venue time', () => {
    const late = computeFigures({
      ...clean,
      venueOrders: [{ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 6_000 }],
    });
    expect(late.late).toBe(1);
    const skewed = computeFigures({
      ...clean,
      venueOrders: [{ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 14_000 }],
      skewWindows: [{ fromMs: 0, toMs: 10_000, skewMs: 10_000 }],
    });
    expect(skewed.late).toBe(0);
    expect(computeFigures({ ...clean, intents: clean.intents.map((i) => ({ ...i, expiresAt: undefined })) }).late).toBe(
      undefined,
    );
  });

  it('reads a venue clock set back as the earliest real time after the decision (an order just before the window)', () => {
    // The venue clock runs 14 s behind from 20 000 to 30 000. An order decided at 6 000 (expires
    // 10 000) stamped 8 000 came before the window, not at 22 000 inside it.
    const windows = [{ fromMs: 20_000, toMs: 30_000, skewMs: -14_000 }];
    const early = computeFigures({
      ...clean,
      intents: [{ ...clean.intents[0]!, createdAt: 6_000, expiresAt: 10_000 }],
      venueOrders: [{ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 8_000 }],
      skewWindows: windows,
    });
    expect(early.late).toBe(0);
    // One decided at 21 000 (expires 25 000), stamped 8 000 by the late clock, reached it at 22 000.
    const inside = computeFigures({
      ...clean,
      intents: [{ ...clean.intents[0]!, createdAt: 21_000, expiresAt: 25_000 }],
      venueOrders: [{ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 8_000 }],
      skewWindows: windows,
    });
    expect(inside.late).toBe(0);
    // Stamped 15 000 in the window (real 29 000), decided at 21 000: 4 s after it expired.
    const late = computeFigures({
      ...clean,
      intents: [{ ...clean.intents[0]!, createdAt: 21_000, expiresAt: 25_000 }],
      venueOrders: [{ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'sma-btc:1:a', time: 15_000 }],
      skewWindows: windows,
    });
    expect(late.late).toBe(1);
  });

  it('counts each asset and instrument whose books differ', () => {
    const f = computeFigures({
      ...clean,
      storedBalances: { USDT: '99400.5' },
      storedPositions: { 'BTC/USDT': '0.02' },
    });
    expect(f.mismatches).toBe(2);
    expect(f.discrepancies.map((d) => d.ids)).toEqual([{ asset: 'BTC' }, { instrument: 'BTC/USDT' }]);
  });
});
