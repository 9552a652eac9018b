import { describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '@bourse/contracts';
import {
  nextSubmissionPause,
  RUNNING,
  type SubmissionPauseEvent,
  type SubmissionPauseState,
} from './submission-pause.js';

function report(runId: string, startedAt: number, verdict: 'ok' | 'drift-halted' = 'ok'): ReconciliationReport {
  return {
    v: 1,
    runId,
    venue: 'binance',
    trigger: 'reconnect',
    startedAt,
    finishedAt: startedAt + 10,
    counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
    differences: { orders: [], fills: [], balances: [], positions: [] },
    missedFillsRecovered: [],
    unknownOpenOrders: [],
    drift: { value: verdict === 'ok' ? '0' : '10', tolerance: '1', asset: 'USDT' },
    verdict,
  };
}

function run(events: SubmissionPauseEvent[], from: SubmissionPauseState = RUNNING) {
  let state = from;
  const effects: string[] = [];
  for (const e of events) {
    const step = nextSubmissionPause(state, e);
    state = step.state;
    effects.push(...step.effects.map((x) => x.kind));
  }
  return { state, effects };
}

describe('SubmissionPause', () => {
  it('pauses on a lost stream, asks for a reconciliation on reconnect, resumes on an ok report started after it', () => {
    const { state, effects } = run([
      { type: 'stream-lost', at: 100, reason: 'closed' },
      { type: 'stream-open', at: 200 },
      { type: 'recon-report', report: report('r1', 250) },
    ]);
    expect(effects).toEqual(['paused', 'request-recon', 'resumed']);
    expect(state).toEqual(RUNNING);
  });

  it('ignores a report of a run started before the reconnect, and a drift verdict', () => {
    const { state, effects } = run([
      { type: 'stream-lost', at: 100, reason: 'closed' },
      { type: 'stream-open', at: 200 },
      { type: 'recon-report', report: report('old', 150) },
      { type: 'recon-report', report: report('drift', 300, 'drift-halted') },
    ]);
    expect(effects).toEqual(['paused', 'request-recon', 'report-ignored', 'report-ignored']);
    expect(state).toEqual({ kind: 'awaiting-recon', since: 100, reconnectedAt: 200 });
  });

  it('ignores reports while the stream is still down and keeps the first pause time across flaps', () => {
    const { state, effects } = run([
      { type: 'stream-lost', at: 100, reason: 'a' },
      { type: 'recon-report', report: report('r', 150) },
      { type: 'stream-open', at: 200 },
      { type: 'stream-lost', at: 210, reason: 'b' },
      { type: 'stream-open', at: 300 },
      { type: 'recon-report', report: report('early', 250) },
    ]);
    expect(effects).toEqual(['paused', 'report-ignored', 'request-recon', 'request-recon', 'report-ignored']);
    expect(state).toEqual({ kind: 'awaiting-recon', since: 100, reconnectedAt: 300 });
  });

  it('does not treat the first open at start as a reconnect, and retries a failed recon request', () => {
    expect(run([{ type: 'stream-open', at: 1 }]).effects).toEqual([]);
    const { effects } = run([
      { type: 'stream-lost', at: 1, reason: 'x' },
      { type: 'stream-open', at: 2 },
      { type: 'recon-request-failed', at: 3, reason: 'no responders' },
    ]);
    expect(effects).toEqual(['paused', 'request-recon', 'retry-recon-later']);
    expect(run([{ type: 'recon-request-failed', at: 3, reason: 'x' }]).effects).toEqual([]);
  });
});
