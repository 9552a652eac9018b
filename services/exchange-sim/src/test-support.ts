// Test helpers (used by this package's tests only): a signing REST client over fetch and a
// WebSocket client that queues messages so tests wait for what they expect, with a timeout.

import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { WebSocket } from 'ws';
import { hmacHex, wsApiSigningPayload } from './auth.js';
import type { ApiKeyConfig } from './types.js';

export const TEST_KEY = { apiKey: 'test-key-1', apiSecret: 'test-secret-1' } as const;
export const OTHER_KEY = { apiKey: 'test-key-2', apiSecret: 'test-secret-2' } as const;

export interface RestReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class RestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: { apiKey: string; apiSecret: string } = TEST_KEY,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async public<T = unknown>(
    path: string,
    query: Record<string, string | number> = {},
    method = 'GET',
  ): Promise<RestReply<T>> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const res = await fetch(`${this.baseUrl}${path}${qs ? `?${qs}` : ''}`, { method });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** A USER_STREAM call: API key only. */
  async keyed<T = unknown>(
    method: string,
    path: string,
    params: Record<string, string | number> = {},
  ): Promise<RestReply<T>> {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const res = await fetch(`${this.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { 'X-MBX-APIKEY': this.key.apiKey },
    });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** A SIGNED call; GET/DELETE in the query string, POST/PUT in the body, as most clients do. */
  async signed<T = unknown>(
    method: string,
    path: string,
    params: Record<string, string | number | boolean> = {},
  ): Promise<RestReply<T>> {
    const all = { ...params, timestamp: params.timestamp ?? this.now() };
    const text = new URLSearchParams(Object.entries(all).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const signed = `${text}&signature=${hmacHex(this.key.apiSecret, text)}`;
    const inBody = method === 'POST' || method === 'PUT';
    const res = await fetch(`${this.baseUrl}${path}${inBody ? '' : `?${signed}`}`, {
      method,
      headers: {
        'X-MBX-APIKEY': this.key.apiKey,
        ...(inBody ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(inBody ? { body: signed } : {}),
    });
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'TIMEOUT';
  constructor(readonly value: string) {
    super(`timed out waiting for ${value}`);
  }
}

/** A WebSocket whose messages queue up until a test takes them. */
export class WsClient {
  readonly messages: unknown[] = [];
  private waiters: { match: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  readonly pings: Buffer[] = [];
  closed = false;
  private readonly closedPromise: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m: unknown = JSON.parse(data.toString('utf8'));
      this.messages.push(m);
      const waiter = this.waiters.find((w) => w.match(m));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(m);
      }
    });
    ws.on('ping', (data) => this.pings.push(data));
    this.closedPromise = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closed = true;
        resolve(code);
      }),
    );
  }

  static open(url: string, timeoutMs = 5000): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new WsClient(ws);
      const timer = setTimeout(() => reject(new TimeoutError(`connection to ${url}`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  send(body: unknown): void {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** The first message (already received or still to come) that matches; it is removed from the queue. */
  next<T = Record<string, unknown>>(
    match: (m: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 5000,
    what = 'a message',
  ): Promise<T> {
    const test = (m: unknown): boolean => typeof m === 'object' && m !== null && match(m as Record<string, unknown>);
    const i = this.messages.findIndex(test);
    if (i >= 0) {
      const [m] = this.messages.splice(i, 1);
      return Promise.resolve(m as T);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new TimeoutError(what));
      }, timeoutMs);
      const done = (m: unknown): void => {
        clearTimeout(timer);
        const idx = this.messages.indexOf(m);
        if (idx >= 0) this.messages.splice(idx, 1);
        resolve(m as T);
      };
      this.waiters.push({ match: test, resolve: done });
    });
  }

  /** Sends a request and waits for the reply with the same id. */
  async request<T = Record<string, unknown>>(
    body: { id: unknown } & Record<string, unknown>,
    timeoutMs = 5000,
  ): Promise<T> {
    this.send(body);
    return this.next<T>((m) => m.id === body.id, timeoutMs, `reply to ${JSON.stringify(body.id)}`);
  }

  waitClosed(timeoutMs = 5000): Promise<number> {
    return Promise.race([
      this.closedPromise,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new TimeoutError('the connection to close')), timeoutMs),
      ),
    ]);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** WebSocket API params signed the way Binance documents: sorted, `k=v&...`, HMAC-SHA256. */
export function signWsParams(
  params: Record<string, string | number | boolean>,
  key: { apiKey: string; apiSecret: string } = TEST_KEY,
  now: () => number = () => Date.now(),
): Record<string, string | number | boolean> {
  const all: Record<string, string | number | boolean> = {
    ...params,
    apiKey: key.apiKey,
    timestamp: params.timestamp ?? now(),
  };
  return { ...all, signature: hmacHex(key.apiSecret, wsApiSigningPayload(all)) };
}

/** An Ed25519 key as Binance registers one: the venue holds the public key, the client signs with the private one. */
export interface Ed25519TestKey {
  readonly apiKey: string;
  readonly config: ApiKeyConfig;
  readonly privateKeyPem: string;
  /** base64 Ed25519 signature of the payload's UTF-8 bytes. */
  sign(payload: string): string;
}

export function ed25519TestKey(apiKey: string): Ed25519TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    apiKey,
    config: { apiKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sign: (payload) => cryptoSign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
  };
}

/** WebSocket API params signed with an Ed25519 key (sorted `k=v&...`, base64 signature). */
export function signWsParamsEd25519(
  params: Record<string, string | number | boolean>,
  key: Ed25519TestKey,
  now: () => number = () => Date.now(),
): Record<string, string | number | boolean> {
  const all: Record<string, string | number | boolean> = {
    ...params,
    apiKey: key.apiKey,
    timestamp: params.timestamp ?? now(),
  };
  return { ...all, signature: key.sign(wsApiSigningPayload(all)) };
}

/** Resolves when `predicate` holds, checking on each event of `subscribe`; rejects after the timeout. */
export function waitUntil(
  predicate: () => boolean,
  timeoutMs = 5000,
  what = 'a condition',
  pollMs = 10,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const check = (): void => {
      if (predicate()) {
        resolve();
        return;
      }
      if (performance.now() - started > timeoutMs) {
        reject(new TimeoutError(what));
        return;
      }
      setTimeout(check, pollMs);
    };
    check();
  });
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
