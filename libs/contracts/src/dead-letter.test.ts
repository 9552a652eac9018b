import { describe, it, expect } from 'vitest';
import { DeadLetter } from './dead-letter.js';
import { ContractViolationError, decodeMessage } from './decode.js';
import { Quote } from './market-data.js';
import { createSubjects } from './subjects.js';
import { violationPaths } from './test-support.js';

const s = createSubjects('t_dlq');

/** Builds the dead letter a service would publish for a message that failed its contract. */
function deadLetterFor(raw: Uint8Array, subject: string): DeadLetter {
  let violation: ContractViolationError | undefined;
  try {
    decodeMessage('Quote', Quote, JSON.parse(new TextDecoder().decode(raw)));
  } catch (err) {
    if (!(err instanceof ContractViolationError)) throw err;
    violation = err;
  }
  if (violation === undefined) throw new Error('expected the raw quote to be invalid');
  return {
    v: 1,
    service: 'strategy-runner',
    subject,
    reason: violation.message,
    code: violation.code,
    issues: violation.issues,
    payloadEncoding: 'base64',
    payload: Buffer.from(raw).toString('base64'),
    headers: { 'Nats-Msg-Id': ['abc'] },
    receivedAt: 1_700_000_000_000,
  };
}

describe('DeadLetter', () => {
  it('carries a failed message with its issues and original bytes', () => {
    const raw = new TextEncoder().encode('{"v":1,"bidPrice":1.5}');
    const letter = decodeMessage('DeadLetter', DeadLetter, deadLetterFor(raw, s.md.quote('binance', 'BTCUSDT')));
    expect(letter.issues.map((i) => i.path)).toContain('bidPrice');
    expect(Buffer.from(letter.payload, 'base64').toString('utf8')).toBe('{"v":1,"bidPrice":1.5}');
    expect(s.dlq(letter.service)).toBe('t_dlq.dlq.strategy-runner');
  });

  it('accepts a text payload', () => {
    const letter = { ...deadLetterFor(new TextEncoder().encode('{}'), 'x'), payloadEncoding: 'utf8', payload: '{}' };
    expect(DeadLetter.safeParse(letter).success).toBe(true);
  });

  it.each([
    ['a service that is not a subject token', { service: 'risk.gate' }, ['service']],
    ['a payload that is not base64', { payload: 'not base64!' }, ['payload']],
    ['an unknown encoding', { payloadEncoding: 'hex' }, ['payloadEncoding']],
    ['a header with a single string value', { headers: { a: 'b' } }, ['headers.a']],
    ['an issue without a path', { issues: [{ message: 'x' }] }, ['issues.0.path']],
  ])('rejects %s', (_name, change, paths) => {
    const letter = { ...deadLetterFor(new TextEncoder().encode('{}'), 'x'), ...change };
    expect(violationPaths(DeadLetter, letter)).toEqual(paths);
  });
});
