import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { RiskDecision } from './risk-decision.js';
import { violationPaths, withFields } from './test-support.js';

const base = {
  v: 1,
  intentId: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  instrument: 'BTC/USDT',
  decidedAt: 1_700_000_000_005,
};
const accepted = { ...base, outcome: 'accepted', clientOrderId: 'bsm-sma-cross-000001' };
const rejected = {
  ...base,
  outcome: 'rejected',
  failures: [
    { rule: 'max-position', message: 'position would exceed 0.5 BTC', limit: '0.5', actual: '0.51' },
    { rule: 'trading-state', message: 'instrument BTCUSDT is HALTED' },
  ],
};

describe('RiskDecision', () => {
  it('accepts an acceptance with its client order id', () => {
    const decoded = decodeMessage('RiskDecision', RiskDecision, accepted);
    expect(decoded).toEqual(accepted);
    expect(decoded.outcome === 'accepted' && decoded.clientOrderId).toBe('bsm-sma-cross-000001');
  });

  it('accepts a rejection listing every failed rule', () => {
    const decoded = decodeMessage('RiskDecision', RiskDecision, rejected);
    expect(decoded.outcome === 'rejected' && decoded.failures.map((f) => f.rule)).toEqual([
      'max-position',
      'trading-state',
    ]);
  });

  it.each([
    ['an acceptance without a client order id', withFields(accepted, { clientOrderId: undefined }), ['clientOrderId']],
    ['a rejection without failures', { ...rejected, failures: [] }, ['failures']],
    [
      'a failure with a float limit',
      { ...rejected, failures: [{ rule: 'max-position', message: 'm', limit: 0.5 }] },
      ['failures.0.limit'],
    ],
    [
      'a failure with a bad rule name',
      { ...rejected, failures: [{ rule: 'Max Position', message: 'm' }] },
      ['failures.0.rule'],
    ],
    ['an unknown outcome', { ...accepted, outcome: 'maybe' }, ['outcome']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(RiskDecision, value)).toEqual(paths);
  });
});
