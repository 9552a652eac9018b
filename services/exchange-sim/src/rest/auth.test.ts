import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacHex } from '../auth.js';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { ed25519TestKey, RestClient, TEST_KEY } from '../test-support.js';

let sim: RunningExchangeSim;
let rest: RestClient;
const ED_KEY = ed25519TestKey('rest-ed25519-key');
/** A read-only key on TEST_KEY's account (Binance: a key without trading permission). */
const READ_ONLY = {
  apiKey: 'rest-read-only-key',
  apiSecret: 'rest-read-only-secret',
  account: TEST_KEY.apiKey,
  readOnly: true,
};

beforeAll(async () => {
  sim = await startExchangeSim({ apiKeys: [TEST_KEY, ED_KEY.config, READ_ONLY], marketActivity: { enabled: false } });
  rest = new RestClient(sim.restUrl);
});

afterAll(async () => {
  await sim.close();
});

async function raw(
  method: string,
  pathAndQuery: string,
  init: { body?: string; key?: string } = {},
): Promise<{ status: number; body: { code: number; msg: string } }> {
  const res = await fetch(`${sim.restUrl}${pathAndQuery}`, {
    method,
    headers: {
      ...(init.key !== undefined ? { 'X-MBX-APIKEY': init.key } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: res.status, body: (await res.json()) as { code: number; msg: string } };
}

describe('a read-only key', () => {
  const signed = (q: string) => `${q}&signature=${hmacHex(READ_ONLY.apiSecret, q)}`;

  it("reads its account's balances, open orders and trades", async () => {
    for (const path of ['/api/v3/account', '/api/v3/openOrders', '/api/v3/myTrades']) {
      const q = path === '/api/v3/myTrades' ? `symbol=BTCUSDT&timestamp=${Date.now()}` : `timestamp=${Date.now()}`;
      const r = await raw('GET', `${path}?${signed(q)}`, { key: READ_ONLY.apiKey });
      expect(r.status, path).toBe(200);
    }
  });

  it('may not place, test or cancel an order: -2015', async () => {
    const refusal = { status: 401, body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } };
    const order = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&timestamp=${Date.now()}`;
    expect(await raw('POST', '/api/v3/order', { key: READ_ONLY.apiKey, body: signed(order) })).toEqual(refusal);
    expect(await raw('POST', `/api/v3/order/test?${signed(order)}`, { key: READ_ONLY.apiKey })).toEqual(refusal);
    const cancel = `symbol=BTCUSDT&timestamp=${Date.now()}`;
    expect(await raw('DELETE', `/api/v3/openOrders?${signed(cancel)}`, { key: READ_ONLY.apiKey })).toEqual(refusal);
  });
});

describe('SIGNED endpoint security', () => {
  it('accepts an Ed25519 key: base64 signature of the query string, percent-encoded; refuses a wrong one', async () => {
    const q = `omitZeroBalances=true&timestamp=${Date.now()}`;
    const ok = await raw('GET', `/api/v3/account?${q}&signature=${encodeURIComponent(ED_KEY.sign(q))}`, {
      key: ED_KEY.apiKey,
    });
    expect(ok.status).toBe(200);
    const other = ed25519TestKey(ED_KEY.apiKey);
    const bad = await raw('GET', `/api/v3/account?${q}&signature=${encodeURIComponent(other.sign(q))}`, {
      key: ED_KEY.apiKey,
    });
    expect(bad).toEqual({ status: 400, body: { code: -1022, msg: 'Signature for this request is not valid.' } });
    const hexForHmac = await raw('GET', `/api/v3/account?${q}&signature=${hmacHex('x', q)}`, { key: ED_KEY.apiKey });
    expect(hexForHmac.body.code).toBe(-1022);
  });

  it('accepts a valid signature over the query string', async () => {
    const q = `timestamp=${Date.now()}`;
    const r = await raw('GET', `/api/v3/account?${q}&signature=${hmacHex(TEST_KEY.apiSecret, q)}`, {
      key: TEST_KEY.apiKey,
    });
    expect(r.status).toBe(200);
  });

  it('accepts upper-case hex signatures (Binance: not case sensitive)', async () => {
    const q = `timestamp=${Date.now()}`;
    const r = await raw('GET', `/api/v3/account?${q}&signature=${hmacHex(TEST_KEY.apiSecret, q).toUpperCase()}`, {
      key: TEST_KEY.apiKey,
    });
    expect(r.status).toBe(200);
  });

  it('signs query string and body concatenated without "&" when mixed', async () => {
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=0.001&price=50000&recvWindow=5000&timestamp=${Date.now()}`;
    const signature = hmacHex(TEST_KEY.apiSecret, query + body);
    const ok = await raw('POST', `/api/v3/order?${query}`, {
      key: TEST_KEY.apiKey,
      body: `${body}&signature=${signature}`,
    });
    expect(ok.status).toBe(200);
    const withAmp = hmacHex(TEST_KEY.apiSecret, `${query}&${body}`);
    const bad = await raw('POST', `/api/v3/order?${query}`, {
      key: TEST_KEY.apiKey,
      body: `${body}&signature=${withAmp}`,
    });
    expect(bad.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('refuses a wrong secret with -1022 (HTTP 400)', async () => {
    const q = `timestamp=${Date.now()}`;
    const r = await raw('GET', `/api/v3/account?${q}&signature=${hmacHex('wrong-secret', q)}`, {
      key: TEST_KEY.apiKey,
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('refuses a parameter changed after signing with -1022', async () => {
    const q = `symbol=BTCUSDT&timestamp=${Date.now()}`;
    const sig = hmacHex(TEST_KEY.apiSecret, q);
    const r = await raw(
      'GET',
      `/api/v3/openOrders?symbol=ETHUSDT&timestamp=${q.split('timestamp=')[1]}&signature=${sig}`,
      { key: TEST_KEY.apiKey },
    );
    expect(r.body.code).toBe(-1022);
  });

  it('refuses a missing API key with -2014 and an unknown one with -2015 (HTTP 401)', async () => {
    const q = `timestamp=${Date.now()}`;
    const sig = hmacHex(TEST_KEY.apiSecret, q);
    const none = await raw('GET', `/api/v3/account?${q}&signature=${sig}`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const unknown = await raw('GET', `/api/v3/account?${q}&signature=${sig}`, { key: 'nobody' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
  });

  it('refuses a stale timestamp with -1021 and honours recvWindow', async () => {
    const stale = await rest.signed('GET', '/api/v3/account', { timestamp: Date.now() - 10_000 });
    expect(stale.status).toBe(400);
    expect(stale.body).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    const wide = await rest.signed('GET', '/api/v3/account', { timestamp: Date.now() - 10_000, recvWindow: 20_000 });
    expect(wide.status).toBe(200);
  });

  it('refuses a timestamp 1000 ms or more ahead of the server with -1021', async () => {
    const ahead = await rest.signed('GET', '/api/v3/account', { timestamp: Date.now() + 5_000 });
    expect(ahead.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
  });

  it('refuses a missing timestamp or signature with -1102, a recvWindow over 60000 with -1131', async () => {
    const noTs = await raw('GET', `/api/v3/account?signature=${hmacHex(TEST_KEY.apiSecret, '')}`, {
      key: TEST_KEY.apiKey,
    });
    expect(noTs.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
    const noSig = await raw('GET', `/api/v3/account?timestamp=${Date.now()}`, { key: TEST_KEY.apiKey });
    expect(noSig.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    const window = await rest.signed('GET', '/api/v3/account', { recvWindow: 70_000 });
    expect((window.body as { code: number }).code).toBe(-1131);
  });

  it('refuses a malformed timestamp with -1100 and duplicate parameters with -1101', async () => {
    const bad = await rest.signed('GET', '/api/v3/account', { timestamp: 'yesterday' });
    expect((bad.body as { code: number }).code).toBe(-1100);
    const q = `timestamp=${Date.now()}&timestamp=${Date.now()}`;
    const dup = await raw('GET', `/api/v3/account?${q}&signature=${hmacHex(TEST_KEY.apiSecret, q)}`, {
      key: TEST_KEY.apiKey,
    });
    expect(dup.body).toEqual({ code: -1101, msg: 'Duplicate values for a parameter detected.' });
  });

  it('USER_STREAM endpoints need only the key', async () => {
    const ok = await rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream');
    expect(ok.status).toBe(200);
    expect(ok.body.listenKey).toMatch(/^[A-Za-z0-9]{60}$/);
    const none = await raw('POST', '/api/v3/userDataStream');
    expect(none.body.code).toBe(-2014);
  });
});
