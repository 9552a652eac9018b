import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTelemetryError } from './errors.js';
import { isSecretKey, MASK, SecretMasker } from './secrets.js';

const secret = (): string => randomBytes(24).toString('hex');

describe('SecretMasker.mask', () => {
  it('masks the password of any URL and keeps the rest', () => {
    const masker = new SecretMasker();
    const pw = secret();
    expect(masker.mask(`connect postgres://bourse:${pw}@db:5432/bourse failed`)).toBe(
      `connect postgres://bourse:${MASK}@db:5432/bourse failed`,
    );
    expect(masker.mask(`redis://:${pw}@127.0.0.1:6379`)).toBe(`redis://:${MASK}@127.0.0.1:6379`);
    // No userinfo: nothing to mask, the port stays.
    expect(masker.mask('nats://127.0.0.1:4222 and x@y')).toBe('nats://127.0.0.1:4222 and x@y');
  });

  it('masks signature, listenKey and other secret parameters in query strings', () => {
    const masker = new SecretMasker();
    const sig = randomBytes(32).toString('hex');
    const listenKey = secret();
    const out = masker.mask(
      `POST /api/v3/order?symbol=BTCUSDT&timestamp=1&signature=${sig} and /api/v3/userDataStream?listenKey=${listenKey}&x=1`,
    );
    expect(out).not.toContain(sig);
    expect(out).not.toContain(listenKey);
    expect(out).toContain('symbol=BTCUSDT&timestamp=1&signature=***');
    expect(out).toContain('listenKey=***&x=1');
    expect(masker.mask(`host=db password=${sig} dbname=x`)).toBe('host=db password=*** dbname=x');
  });

  it('masks headers and JSON written as text, and a listen key in a stream path', () => {
    const masker = new SecretMasker();
    const key = secret();
    expect(masker.mask(`X-MBX-APIKEY: ${key}`)).toBe('X-MBX-APIKEY: ***');
    expect(masker.mask(`Authorization: Bearer ${key}`)).toBe('Authorization: ***');
    expect(masker.mask(`{"apiKey":"${key}","qty":"1"}`)).toBe('{"apiKey":"***","qty":"1"}');
    const listenKey = randomBytes(30).toString('hex'); // 60 characters, like Binance's
    expect(masker.mask(`wss://stream.binance.com:9443/ws/${listenKey}`)).toBe('wss://stream.binance.com:9443/ws/***');
  });

  it('masks a registered value wherever it appears, also JSON- and URL-encoded', () => {
    const masker = new SecretMasker();
    const plain = `free text ${'k'.repeat(4)} stays`;
    const value = `ab+c/d"e${secret()}`;
    masker.register(value);
    expect(masker.mask(`venue said: key ${value} is invalid`)).toBe('venue said: key *** is invalid');
    expect(masker.mask(JSON.stringify({ note: `k=${value}` }))).not.toContain(JSON.stringify(value).slice(1, -1));
    expect(masker.mask(`q=${encodeURIComponent(value)}`)).toBe('q=***');
    expect(masker.mask(plain)).toBe(plain);
  });

  it('refuses a secret too short to mask without masking ordinary words, without echoing it', () => {
    const masker = new SecretMasker();
    try {
      masker.register('pw');
      expect.unreachable('register should throw');
    } catch (err) {
      expect(isTelemetryError(err, 'INVALID_OPTION')).toBe(true);
      expect(JSON.stringify(err)).not.toContain('"pw"');
      expect((err as Error).message).not.toContain('pw');
    }
  });
});

describe('SecretMasker.redact', () => {
  it('masks secret keys at any depth and secret values in strings, and leaves the input untouched', () => {
    const masker = new SecretMasker();
    const [a, b, c, d] = [secret(), secret(), secret(), secret()];
    const input = {
      venue: { credentials: { apiKey: a }, limits: { orders: 10 } },
      list: [{ deep: { deeper: { dbPassword: b } } }],
      headers: { 'X-MBX-APIKEY': c },
      url: `postgres://u:${d}@h/db`,
    };
    const out = masker.redact(input);
    const text = JSON.stringify(out);
    for (const s of [a, b, c, d]) expect(text).not.toContain(s);
    expect(out).toMatchObject({ venue: { limits: { orders: 10 } }, headers: { 'X-MBX-APIKEY': MASK } });
    expect(input.venue.credentials.apiKey).toBe(a);
  });

  it('turns errors into plain objects with masked message, stack and cause', () => {
    const masker = new SecretMasker();
    const pw = secret();
    const err = new Error('request failed', { cause: new Error(`postgres://app:${pw}@db/x refused`) });
    const out = masker.redact({ err }) as { err: { message: string; stack: string; type: string } };
    expect(out.err.type).toBe('Error');
    expect(JSON.stringify(out)).not.toContain(pw);
    expect(out.err.stack).toContain('postgres://app:***@db/x');
  });

  it('cuts cycles instead of recursing forever', () => {
    const masker = new SecretMasker();
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    expect(masker.redact(node)).toEqual({ name: 'a', self: '[Circular]' });
  });
});

describe('isSecretKey', () => {
  it('recognises secret field names in any spelling and leaves ordinary ones', () => {
    for (const key of [
      'apiKey',
      'API_SECRET',
      'x-mbx-apikey',
      'Authorization',
      'dbPassword',
      'listenKey',
      'refresh_token',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['clientOrderId', 'symbol', 'price', 'keyCount', 'status']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});
