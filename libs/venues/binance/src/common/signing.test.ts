import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { ed25519Signer, hmacSigner, InvalidSigningKeyError, toQueryString, wsApiSignaturePayload } from './signing.js';

// The key, parameters and signatures are the worked example in Binance's Spot API documentation
// ("SIGNED endpoint examples for POST /api/v3/order", HMAC keys).
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const DOC_PARAMS = {
  symbol: 'LTCBTC',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '1',
  price: '0.1',
  recvWindow: 5000,
  timestamp: 1499827319559,
};

describe('HMAC-SHA256 signing', () => {
  it("reproduces the signature of Binance's documented example", () => {
    const payload = toQueryString(DOC_PARAMS);
    expect(payload).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
    expect(hmacSigner(DOC_SECRET).sign(payload)).toBe(
      'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    );
  });

  it('reproduces the documented example with non-ASCII parameters, percent-encoded before signing', () => {
    const payload = toQueryString({ ...DOC_PARAMS, symbol: '１２３４５６' });
    expect(payload.startsWith('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY')).toBe(true);
    expect(hmacSigner(DOC_SECRET).sign(payload)).toBe(
      'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3',
    );
  });

  it('refuses an empty secret without echoing anything', () => {
    expect(() => hmacSigner('')).toThrow(InvalidSigningKeyError);
  });
});

describe('WS-API signature payload', () => {
  it('sorts params by name, leaves out signature and undefined values', () => {
    const payload = wsApiSignaturePayload({
      timestamp: 1660801839480,
      symbol: 'BTCUSDT',
      apiKey: 'k',
      signature: 'ignored',
      price: undefined,
      side: 'SELL',
    });
    expect(payload).toBe('apiKey=k&side=SELL&symbol=BTCUSDT&timestamp=1660801839480');
  });
});

describe('Ed25519 signing', () => {
  it('signs so that the matching public key verifies, base64-encoded', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const signer = ed25519Signer(pem);
    const payload = toQueryString(DOC_PARAMS);
    const signature = signer.sign(payload);
    expect(signer.keyType).toBe('ed25519');
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${payload}0`), publicKey, Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('rejects a key of another type and unreadable PEM', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => ed25519Signer(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).toThrow(
      /expected an ed25519 key/,
    );
    expect(() => ed25519Signer('not a key')).toThrow(InvalidSigningKeyError);
  });
});
