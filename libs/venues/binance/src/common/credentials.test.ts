import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, it, expect } from 'vitest';
import { credentialEnvNames, loadApiCredentials, MissingCredentialsError } from './credentials.js';
import { hmacSha256Hex } from './signing.js';

const dir = mkdtempSync(join(tmpdir(), 'bourse-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class ManualClock {
  t = 0;
  now(): number {
    return this.t;
  }
}

describe('loadApiCredentials', () => {
  it('reads a per-target key pair from the environment', () => {
    const names = credentialEnvNames('testnet');
    expect(names.apiKey).toBe('BINANCE_TESTNET_API_KEY');
    const provider = loadApiCredentials({
      target: 'testnet',
      env: { [names.apiKey]: 'key-1', [names.apiSecret]: 'secret-1' },
    });
    const creds = provider.current();
    expect(creds.apiKey).toBe('key-1');
    expect(creds.sign('a=1')).toBe(hmacSha256Hex('secret-1', 'a=1'));
    expect(creds.readOnly).toBe(false);
    expect(provider.source).toBe('env:BINANCE_TESTNET_API_KEY');
  });

  it("does not use another target's keys", () => {
    const sim = credentialEnvNames('sim');
    expect(() => loadApiCredentials({ target: 'mainnet', env: { [sim.apiKey]: 'k', [sim.apiSecret]: 's' } })).toThrow(
      MissingCredentialsError,
    );
    expect(() => loadApiCredentials({ target: 'mainnet', env: {} })).toThrow(/BINANCE_MAINNET_API_KEY/);
  });

  it('accepts an Ed25519 key and a read-only flag', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const names = credentialEnvNames('sim');
    const creds = loadApiCredentials({
      target: 'sim',
      env: {
        [names.apiKey]: 'k',
        [names.privateKeyPem]: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        [names.readOnly]: 'true',
      },
    }).current();
    expect(creds.keyType).toBe('ed25519');
    expect(creds.readOnly).toBe(true);
    expect(verify(null, Buffer.from('x=1'), publicKey, Buffer.from(creds.sign('x=1'), 'base64'))).toBe(true);
  });

  it('never prints the key or secret', () => {
    const names = credentialEnvNames('sim');
    const creds = loadApiCredentials({
      target: 'sim',
      env: { [names.apiKey]: 'VISIBLEKEY', [names.apiSecret]: 'TOPSECRET' },
    }).current();
    for (const text of [String(creds), JSON.stringify({ creds }), inspect(creds, { depth: 5, showHidden: true })]) {
      expect(text).not.toContain('VISIBLEKEY');
      expect(text).not.toContain('TOPSECRET');
    }
  });

  it('reads a mounted secret file and re-reads it when it changes (rotation without restart)', () => {
    const path = join(dir, 'binance.json');
    writeFileSync(path, JSON.stringify({ apiKey: 'old-key', apiSecret: 'old-secret' }));
    const clock = new ManualClock();
    const provider = loadApiCredentials({ target: 'sim', secretFile: path, clock, recheckMs: 1_000 });
    expect(provider.current().apiKey).toBe('old-key');

    // Written the way Kubernetes does it: a new file swapped in.
    const next = join(dir, 'binance.json.new');
    writeFileSync(next, JSON.stringify({ apiKey: 'new-key', apiSecret: 'new-secret', readOnly: true }));
    renameSync(next, path);
    expect(provider.current().apiKey).toBe('old-key');
    clock.t += 1_000;
    const rotated = provider.current();
    expect(rotated.apiKey).toBe('new-key');
    expect(rotated.readOnly).toBe(true);
    expect(rotated.sign('a=1')).toBe(hmacSha256Hex('new-secret', 'a=1'));
  });

  it('keeps the last good key when a rotated file is half-written, and says so', () => {
    const path = join(dir, 'half.json');
    writeFileSync(path, JSON.stringify({ apiKey: 'good', apiSecret: 'good-secret' }));
    const clock = new ManualClock();
    const errors: Error[] = [];
    const provider = loadApiCredentials({
      target: 'sim',
      secretFile: path,
      clock,
      recheckMs: 0,
      onReadError: (e) => errors.push(e),
    });
    writeFileSync(path, '{"apiKey": "bro');
    clock.t += 1;
    expect(provider.current().apiKey).toBe('good');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).not.toContain('bro');
  });

  it('names a missing or invalid file without quoting its contents', () => {
    expect(() => loadApiCredentials({ target: 'sim', secretFile: join(dir, 'absent.json') })).toThrow(
      /cannot read secret file/,
    );
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ apiKey: 'k', apiSecret: 'SECRETVALUE', privateKeyPem: 'PEMVALUE' }));
    let message = '';
    try {
      loadApiCredentials({ target: 'sim', secretFile: path });
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).toMatch(/exactly one of apiSecret/);
    expect(message).not.toContain('SECRETVALUE');
  });
});
