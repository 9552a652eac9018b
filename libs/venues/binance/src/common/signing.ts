import { createHmac, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';

// Binance SIGNED requests: the payload is the exact parameter string sent (query string or body),
// signed with HMAC-SHA256 (hex) or Ed25519 (base64). The WS-API signs its params sorted by name.

export type ParamValue = string | number | boolean | undefined;
export type Params = Readonly<Record<string, ParamValue>>;

/** Turns params into `a=1&b=2` in insertion order, percent-encoding values, skipping undefined. */
export function toQueryString(params: Params): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

/** The WS-API signature payload: params (without `signature`) sorted by name, unencoded `key=value` joined with `&`. */
export function wsApiSignaturePayload(params: Params): string {
  return Object.keys(params)
    .filter((key) => key !== 'signature' && params[key] !== undefined)
    .sort()
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
}

export type KeyType = 'hmac' | 'ed25519';

/** Signs payloads with one key. Holds the secret privately and never prints it. */
export interface RequestSigner {
  readonly keyType: KeyType;
  sign(payload: string): string;
}

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

export function ed25519Base64(privateKey: KeyObject, payload: string): string {
  return cryptoSign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
}

export class InvalidSigningKeyError extends Error {
  override readonly name = 'InvalidSigningKeyError';
  readonly code = 'INVALID_SIGNING_KEY';
  constructor(reason: string, options?: { cause?: unknown }) {
    // The key itself is never part of the message.
    super(`signing key is unusable: ${reason}`, options);
  }
}

export function hmacSigner(secret: string): RequestSigner {
  if (secret.length === 0) throw new InvalidSigningKeyError('the HMAC secret is empty');
  return Object.freeze({ keyType: 'hmac' as const, sign: (payload: string) => hmacSha256Hex(secret, payload) });
}

/** An Ed25519 signer from a PKCS#8 PEM private key (as Binance's key generator writes it). */
export function ed25519Signer(privateKeyPem: string): RequestSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (err) {
    throw new InvalidSigningKeyError('the Ed25519 private key is not a readable PEM', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidSigningKeyError(`expected an ed25519 key, got ${String(key.asymmetricKeyType)}`);
  }
  return Object.freeze({ keyType: 'ed25519' as const, sign: (payload: string) => ed25519Base64(key, payload) });
}
