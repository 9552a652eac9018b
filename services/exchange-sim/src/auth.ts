// Binance's SIGNED request rules, shared by REST and the WebSocket API: an API key that must be
// known, an HMAC-SHA256 (hex) or Ed25519 (base64) signature over the exact parameter text, and a
// timestamp inside recvWindow.

import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { binanceErrors } from './errors.js';
import type { ApiKeyConfig } from './types.js';

export const DEFAULT_RECV_WINDOW_MS = 5000;
export const MAX_RECV_WINDOW_MS = 60_000;
const AHEAD_TOLERANCE_MS = 1000;

export type ApiKeyType = 'HMAC' | 'ED25519';

export interface ApiKeyRecord {
  readonly apiKey: string;
  readonly keyType: ApiKeyType;
  readonly account: string;
  /** False for a read-only key: it may not place or cancel orders. */
  readonly canTrade: boolean;
  /** Whether `signature` is this key's over `payload` (hex HMAC-SHA256 or base64 Ed25519). */
  verify(payload: string, signature: string): boolean;
}

export class InvalidApiKeyConfigError extends Error {
  override readonly name = 'InvalidApiKeyConfigError';
  readonly code = 'INVALID_API_KEY_CONFIG';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function ed25519PublicKey(apiKey: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new InvalidApiKeyConfigError(apiKey, `API key ${apiKey}: publicKeyPem is not a readable PEM public key`, {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new InvalidApiKeyConfigError(
      apiKey,
      `API key ${apiKey}: expected an Ed25519 public key, got ${String(key.asymmetricKeyType)}`,
    );
  return key;
}

function toRecord(k: ApiKeyConfig): ApiKeyRecord {
  const account = k.account ?? k.apiKey;
  if ('publicKeyPem' in k) {
    const publicKey = ed25519PublicKey(k.apiKey, k.publicKeyPem);
    return Object.freeze({
      apiKey: k.apiKey,
      keyType: 'ED25519' as const,
      account,
      canTrade: k.readOnly !== true,
      verify: (payload: string, signature: string) => ed25519SignatureMatches(publicKey, payload, signature),
    });
  }
  const secret = k.apiSecret;
  return Object.freeze({
    apiKey: k.apiKey,
    keyType: 'HMAC' as const,
    account,
    canTrade: k.readOnly !== true,
    verify: (payload: string, signature: string) => signatureMatches(secret, payload, signature),
  });
}

/** Known API keys. Secrets are kept here only, never printed. */
export class ApiKeyRegistry {
  private readonly byKey = new Map<string, ApiKeyRecord>();

  constructor(keys: readonly ApiKeyConfig[]) {
    for (const k of keys) this.byKey.set(k.apiKey, toRecord(k));
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

/** Ed25519 signatures are base64 of the 64-byte signature over the payload's UTF-8 bytes (case-sensitive). */
export function ed25519SignatureMatches(publicKey: KeyObject, payload: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  return cryptoVerify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
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
