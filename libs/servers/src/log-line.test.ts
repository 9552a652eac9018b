import { describe, expect, it } from 'vitest';
import { readableLogLine } from './log-line.js';

describe('readableLogLine', () => {
  it('turns a pino line into time, level, message and the fields that matter', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-11-25T12:20:19.696Z',
      service: 'reconciler',
      pid: 1,
      hostname: 'vm',
      version: '0.1.0',
      runId: 'r1',
      reason: 'balance drift BTC',
      counts: { fills: 2 },
      msg: 'reconciliation drift: trading HALTED',
    });
    expect(readableLogLine(line)).toBe(
      '12:20:19.696 WARN  reconciliation drift: trading HALTED runId=r1 reason="balance drift BTC" counts={"fills":2}',
    );
  });

  it('reads numeric levels and epoch times', () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 10, 25, 1, 2, 3, 4), msg: 'boom' });
    expect(readableLogLine(line)).toBe('01:02:03.004 ERROR boom');
  });

  it('passes every other line through unchanged, cut JSON included', () => {
    for (const line of ['exchange-sim: ready', '{"level":"info","time":"2026-11-25T', '{"level":"odd","time":1}']) {
      expect(readableLogLine(line)).toBe(line);
    }
  });
});
