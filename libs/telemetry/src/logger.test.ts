import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTelemetryError } from './errors.js';
import { createLogger } from './logger.js';
import { registerSecret } from './secrets.js';
import { captureLogs } from './testing.js';

const secret = (): string => randomBytes(24).toString('hex');

describe('createLogger', () => {
  it('writes JSON lines with service, version, level label and the child bindings', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'order-manager', version: '1.2.3', destination: logs.destination });
    logger.child({ strategyId: 'mm-1', clientOrderId: 'c-42' }).info({ qty: '0.5' }, 'order accepted');
    const [entry] = logs.entries();
    expect(entry).toMatchObject({
      service: 'order-manager',
      version: '1.2.3',
      level: 'info',
      strategyId: 'mm-1',
      clientOrderId: 'c-42',
      qty: '0.5',
      msg: 'order accepted',
    });
    expect(entry).not.toHaveProperty('trace_id'); // no active span
  });

  it('never writes a secret given by key, at the top or nested, including in child bindings', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'svc', destination: logs.destination });
    const [apiKey, apiSecret, signature, header, nested, bound, privateKey] = Array.from({ length: 7 }, secret);
    logger.info({ apiKey, venue: { apiSecret, signature } }, 'config');
    logger.info({ request: { headers: { 'X-MBX-APIKEY': header, authorization: `Bearer ${header}` } } }, 'http');
    logger.info({ a: { b: { c: { d: { password: nested, signing: [{ privateKey }] } } } } }, 'deep');
    logger.child({ creds: { listenKey: bound } }).info('bound');
    const text = logs.text();
    for (const s of [apiKey, apiSecret, signature, header, nested, bound, privateKey]) expect(text).not.toContain(s);
    expect(logs.entries()[0]).toMatchObject({ apiKey: '***', venue: { apiSecret: '***', signature: '***' } });
  });

  it('never writes a secret carried by an error message, stack or cause', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'svc', destination: logs.destination });
    const [pw, sig] = [secret(), randomBytes(32).toString('hex')];
    const err = new Error(`connect to postgres://bourse:${pw}@db:5432/bourse refused`);
    logger.error(err, 'store down');
    logger.error({ err: new Error('rejected', { cause: new Error(`GET /api/v3/order?signature=${sig}`) }) }, 'venue');
    logger.warn({ failure: new Error(`retrying postgres://bourse:${pw}@db`) }, 'other key');
    const text = logs.text();
    expect(text).not.toContain(pw);
    expect(text).not.toContain(sig);
    const [first] = logs.entries();
    expect(first).toMatchObject({
      err: { type: 'Error', message: expect.stringContaining('postgres://bourse:***@db') },
    });
    expect((first?.err as { stack: string }).stack).toContain('postgres://bourse:***@db');
  });

  it('never writes a URL password put in the message or in an interpolated argument', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'svc', destination: logs.destination });
    const pw = secret();
    logger.info(`connecting to nats://trader:${pw}@nats:4222`);
    logger.info('connecting to %s', `redis://:${pw}@redis:6379`);
    expect(logs.text()).not.toContain(pw);
    expect(logs.entries()[0]?.msg).toBe('connecting to nats://trader:***@nats:4222');
  });

  it('masks a registered secret value inside free text, values and errors', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'svc', destination: logs.destination });
    const key = secret();
    registerSecret(key);
    logger.warn(`venue rejected key ${key} (-2015)`);
    logger.warn({ note: `echo ${key}`, list: [key] }, 'as value');
    logger.error(new Error(`bad key ${key}`), 'as error');
    expect(logs.text()).not.toContain(key);
    expect(logs.entries()[0]?.msg).toBe('venue rejected key *** (-2015)');
  });

  it('rejects a missing service and an unknown level with a clear error', () => {
    expect(() => createLogger({ service: '' })).toThrow(/service/);
    try {
      createLogger({ service: 'svc', level: 'verbose' as never });
      expect.unreachable('createLogger should throw');
    } catch (err) {
      expect(isTelemetryError(err, 'INVALID_OPTION')).toBe(true);
      expect((err as Error).message).toContain('verbose');
    }
  });
});
