import { describe, expect, it } from 'vitest';
import { ClientOrderId, type TradingState } from '@bourse/contracts';
import { formatTrips } from './trips.js';

const NOW = 1_800_000_000_000;

function entry(state: TradingState) {
  return { key: 'k', state };
}

describe('kill-switch trips in `bourse status`', () => {
  it('shows each trip in force with its trigger, action and the orders it canceled, newest first', () => {
    const lines = formatTrips(
      [
        entry({
          v: 1,
          scope: { kind: 'strategy', strategyId: 'sma-btc' },
          mode: 'HALTED',
          reason: 'daily loss',
          setBy: 'risk-gate',
          updatedAt: NOW - 60_000,
          trip: {
            trigger: 'daily-loss',
            action: 'halt-and-cancel',
            trippedAt: NOW - 60_000,
            cancel: {
              ok: true,
              canceled: [ClientOrderId.parse('a-1'), ClientOrderId.parse('a-2')],
              failed: [],
              at: NOW,
            },
          },
        }),
        entry({
          v: 1,
          scope: { kind: 'instrument', symbol: 'ETHUSDT' },
          mode: 'HALTED',
          reason: 'stale',
          setBy: 'risk-gate',
          updatedAt: NOW - 5_000,
          trip: { trigger: 'stale-feed', action: 'halt', trippedAt: NOW - 5_000 },
        }),
        // An operator's halt is no trip; a resumed scope's old trip is no longer in force.
        entry({ v: 1, scope: { kind: 'global' }, mode: 'HALTED', reason: 'x', setBy: 'alice', updatedAt: NOW }),
        entry({
          v: 1,
          scope: { kind: 'strategy', strategyId: 'old' },
          mode: 'ACTIVE',
          reason: 'resumed',
          setBy: 'alice',
          updatedAt: NOW,
          trip: { trigger: 'rejection-burst', action: 'halt', trippedAt: NOW - 1_000 },
        }),
      ],
      NOW,
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ETHUSDT.*stale-feed → halt, 5s ago by risk-gate$/);
    expect(lines[1]).toMatch(/sma-btc.*daily-loss → halt-and-cancel, .* canceled 2 open order\(s\) \(a-1, a-2\)$/);
  });

  it('says when nothing tripped and when a cancel-all failed', () => {
    expect(formatTrips([], NOW)).toEqual(['none in force']);
    const [line] = formatTrips(
      [
        entry({
          v: 1,
          scope: { kind: 'global' },
          mode: 'HALTED',
          reason: 'drift',
          setBy: 'reconciler',
          updatedAt: NOW,
          trip: {
            trigger: 'reconciliation-drift',
            action: 'halt-and-cancel',
            trippedAt: NOW,
            cancel: { ok: false, canceled: [], failed: ['NO_RESPONDERS: no order manager'], at: NOW },
          },
        }),
      ],
      NOW,
    );
    expect(line).toMatch(/reconciliation-drift → halt-and-cancel.*canceled 0 open order\(s\); FAILED: NO_RESPONDERS/);
  });
});
