// Binance's SIGNED request rules, shared by REST and the WebSocket API: an API key that must be
// known, an HMAC-SHA256 signature over the exact parameter text, and a timestamp inside recvWindow.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { binanceErrors } from './errors.js';
import type { ApiKeyConfig } from './types.js';

export const DEFAULT_RECV_WINDOW_MS = 5000;
export const MAX_RECV_WINDOW_MS = 60_000;
const AHEAD_TOLERANCE_MS = 1000;

export interface ApiKeyRecord {
  readonly apiKey: string;
  readonly secret: string;
  readonly account: string;
}

/** Known API keys. Secrets are kept here only, never printed. */
export class ApiKeyRegistry {
  private readonly byKey = new Map<string, ApiKeyRecord>();

  constructor(keys: readonly ApiKeyConfig[]) {
    for (const k of keys)
      this.byKey.set(k.apiKey, { apiKey: k.apiKey, secret: k.apiSecret, account: k.account ?? k.apiKey });
  }

  /** The key's record, or Binance's -2014 / -2015 refusal. */
  require(apiKey: string | undefined): ApiKeyRecord {
    if (apiKey === undefined || apiKey === '') throw binanceErrors.badApiKeyFormat();
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(apiKey)) throw binanceErrors.badApiKeyFormat();
    const record = this.byKey.get(apiKey);
    if (!record) throw binanceErrors.rejectedApiKey();
    return record;
  }

  accounts(): string[] {
    return [...new Set([...this.byKey.values()].map((r) => r.account))];
  }
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Binance signatures are hex and "not case sensitive". */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(hmacHex(secret, payload), 'hex');
  const given = Buffer.from(signature.toLowerCase(), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The REST signing payload: the query string concatenated with the body, each as sent, with the
 * `signature` parameter taken out of whichever of them carries it.
 */
export function restSigningPayload(rawQuery: string, rawBody: string): string {
  const strip = (raw: string): string =>
    raw === ''
      ? ''
      : raw
          .split('&')
          .filter((part) => !part.startsWith('signature='))
          .join('&');
  return strip(rawQuery) + strip(rawBody);
}

/** The WebSocket API signing payload: every parameter but `signature`, sorted by name, as `k=v&...`. */
export function wsApiSigningPayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${wsParamText(params[k])}`)
    .join('&');
}

function wsParamText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Binance's timing rule: `timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow`. */
export function checkTimestamp(timestamp: number, recvWindow: number, serverTime: number): void {
  if (timestamp >= serverTime + AHEAD_TOLERANCE_MS) throw binanceErrors.aheadOfServer();
  if (serverTime - timestamp > recvWindow) throw binanceErrors.outsideRecvWindow();
}
