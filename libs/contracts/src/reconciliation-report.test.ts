import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { ReconciliationReport } from './reconciliation-report.js';
import { violationPaths } from './test-support.js';

const report = {
  v: 1,
  runId: 'recon-2023-11-14T22:13:20Z',
  venue: 'binance',
  trigger: 'reconnect',
  startedAt: 1_700_000_000_000,
  finishedAt: 1_700_000_001_200,
  counts: { ordersChecked: 3, fillsChecked: 42, balancesChecked: 2, positionsChecked: 1 },
  differences: {
    orders: [
      {
        clientOrderId: 'bsm-sma-cross-000001',
        venueOrderId: '28',
        expectedStatus: 'new',
        actualStatus: 'filled',
        expectedFilledQty: '0',
        actualFilledQty: '0.01',
      },
    ],
    fills: [{ key: '12346', expected: null, actual: '0.006' }],
    balances: [{ key: 'BTC', expected: '1.004', actual: '1.01' }],
    positions: [{ key: 'BTC/USDT', expected: '0.004', actual: '0.01' }],
  },
  missedFillsRecovered: ['12346'],
  unknownOpenOrders: [{ venueOrderId: '31', instrument: 'BTC/USDT', side: 'SELL', qty: '0.5', price: '70000' }],
  drift: { value: '0', tolerance: '10', asset: 'USDT' },
  verdict: 'ok',
};

describe('ReconciliationReport', () => {
  it('accepts a run that recovered a missed fill', () => {
    expect(decodeMessage('ReconciliationReport', ReconciliationReport, report)).toEqual(report);
  });

  it('accepts a halting run whose drift passed the tolerance', () => {
    const halted = { ...report, drift: { ...report.drift, value: '12.5' }, verdict: 'drift-halted' };
    expect(ReconciliationReport.safeParse(halted).success).toBe(true);
  });

  it('refuses an ok verdict when drift exceeds the tolerance', () => {
    const lying = { ...report, drift: { ...report.drift, value: '10.01' } };
    expect(violationPaths(ReconciliationReport, lying)).toEqual(['verdict']);
  });

  it('accepts drift exactly at the tolerance as ok', () => {
    expect(ReconciliationReport.safeParse({ ...report, drift: { ...report.drift, value: '10.00' } }).success).toBe(
      true,
    );
  });

  it.each([
    ['a finish before the start', { ...report, finishedAt: report.startedAt - 1 }, ['finishedAt']],
    ['an unknown trigger', { ...report, trigger: 'cron' }, ['trigger']],
    ['an unknown verdict', { ...report, verdict: 'halted' }, ['verdict']],
    ['a negative count', { ...report, counts: { ...report.counts, fillsChecked: -1 } }, ['counts.fillsChecked']],
    [
      'a float balance',
      { ...report, differences: { ...report.differences, balances: [{ key: 'BTC', expected: 1.004, actual: '1' }] } },
      ['differences.balances.0.expected'],
    ],
    [
      'an unknown order status',
      {
        ...report,
        differences: {
          ...report.differences,
          orders: [{ ...report.differences.orders[0], actualStatus: 'FILLED' }],
        },
      },
      ['differences.orders.0.actualStatus'],
    ],
    ['an empty recovered fill id', { ...report, missedFillsRecovered: [''] }, ['missedFillsRecovered.0']],
    [
      'a missing positions list',
      { ...report, differences: { ...report.differences, positions: undefined } },
      ['differences.positions'],
    ],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(ReconciliationReport, value)).toEqual(paths);
  });
});
