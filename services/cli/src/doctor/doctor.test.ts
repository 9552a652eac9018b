import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from '@bourse/servers';
import { allOk, formatCheckLine, formatJson, formatReport } from './doctor.js';
import { startHint } from '@bourse/servers';
import type { CheckResult } from '@bourse/servers';

const ok: CheckResult = {
  kind: 'nats',
  server: 'NATS',
  url: 'nats://127.0.0.1:4222',
  endpoint: '127.0.0.1:4222',
  status: 'ok',
  version: '2.10.1',
  detail: 'nats-server 2.10.1, JetStream enabled (0 streams, 0 consumers)',
  notes: [],
};
const missing: CheckResult = {
  kind: 'redis',
  server: 'Redis',
  url: 'redis://:***@127.0.0.1:6390',
  endpoint: '127.0.0.1:6390',
  status: 'missing',
  detail: 'does not answer at 127.0.0.1:6390 (connection refused)',
  notes: [],
  hint: startHint('redis', 6390),
};

describe('formatCheckLine', () => {
  it('shows status, server, URL and what was found', () => {
    expect(formatCheckLine(ok)).toBe(
      'OK      NATS       nats://127.0.0.1:4222  nats-server 2.10.1, JetStream enabled (0 streams, 0 consumers)',
    );
  });

  it('adds how to start a missing server, on the same line', () => {
    const line = formatCheckLine(missing);
    expect(line.startsWith('MISSING Redis')).toBe(true);
    expect(line).toContain('redis-server --port 6390');
    expect(line).toContain('docker compose up -d redis');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('adds notes, which are not failures', () => {
    const line = formatCheckLine({
      ...ok,
      kind: 'postgres',
      server: 'PostgreSQL',
      notes: ['database "bourse" does not exist yet'],
    });
    expect(line).toContain('; database "bourse" does not exist yet');
  });
});

describe('formatReport / formatJson', () => {
  it('summarises what is not ready', () => {
    expect(formatReport([ok, missing]).split('\n').at(-1)).toBe('Not ready: Redis.');
    expect(formatReport([ok]).split('\n').at(-1)).toBe('All servers answer.');
  });

  it('prints the results and the overall verdict as JSON', () => {
    const parsed = JSON.parse(formatJson([ok, missing])) as { ok: boolean; checks: CheckResult[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.checks.map((c) => c.status)).toEqual(['ok', 'missing']);
    expect(allOk([ok])).toBe(true);
    expect(allOk([ok, missing])).toBe(false);
  });
});

describe('classifyConnectionError', () => {
  it('treats refused, unreachable and timed-out connections as "nothing answers"', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyConnectionError(refused)).toEqual({ reachable: false, reason: 'connection refused' });
    expect(classifyConnectionError(new Error('Connection terminated due to connection timeout'))).toEqual({
      reachable: false,
      reason: 'timed out',
    });
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nope'), { code: 'ENOTFOUND' });
    expect(classifyConnectionError(notFound).reachable).toBe(false);
  });

  it('looks inside an AggregateError (localhost resolving to ::1 and 127.0.0.1)', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' });
    expect(classifyConnectionError(new AggregateError([inner], '')).reason).toBe('connection refused');
  });

  it('treats anything else as "answers, but refuses us", keeping the first line of the message', () => {
    const auth = Object.assign(new Error('password authentication failed for user "x"\nmore'), { code: '28P01' });
    expect(classifyConnectionError(auth)).toEqual({
      reachable: true,
      reason: 'password authentication failed for user "x"',
    });
  });
});
