import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { ensureSimCredentials, SIM_CREDENTIALS_FILE, SIM_READONLY_CREDENTIALS_FILE } from './sim-credentials.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-sim-creds-'));
  dirs.push(dir);
  return join(dir, '.bourse');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ensureSimCredentials', () => {
  it('uses the pair from the environment and writes nothing', () => {
    const dir = tempDir();
    const creds = ensureSimCredentials(dir, { apiKey: 'k'.repeat(20), apiSecret: 's'.repeat(40) });
    expect(creds).toEqual({ apiKey: 'k'.repeat(20), apiSecret: 's'.repeat(40), source: 'environment' });
    expect(() => statSync(join(dir, SIM_CREDENTIALS_FILE))).toThrow();
  });

  it('makes a random pair once, readable by the owner only, and reads the same pair back', () => {
    const dir = tempDir();
    const first = ensureSimCredentials(dir, {});
    expect(first.source).toBe('created');
    expect(first.apiKey).toMatch(/^[0-9a-f]{48}$/);
    expect(first.apiSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, SIM_CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    const second = ensureSimCredentials(dir, {});
    expect(second).toEqual({ apiKey: first.apiKey, apiSecret: first.apiSecret, source: 'stored' });
    const other = ensureSimCredentials(tempDir(), {});
    expect(other.apiSecret).not.toBe(first.apiSecret);
  });

  it('refuses half a pair and a damaged file, without echoing the secret', () => {
    const halfGiven = () => ensureSimCredentials(tempDir(), { apiSecret: 'top-secret-value' });
    expect(halfGiven).toThrow(ConfigError);
    expect(halfGiven).toThrow(/BOURSE_SIM_API_KEY is unset/);
    expect(halfGiven).not.toThrow(/top-secret-value/);

    const dir = tempDir();
    ensureSimCredentials(dir, {});
    const file = join(dir, SIM_CREDENTIALS_FILE);
    writeFileSync(file, '{ not json');
    expect(() => ensureSimCredentials(dir, {})).toThrow(/not valid JSON; delete it/);
    writeFileSync(file, JSON.stringify({ apiKey: 'short' }));
    expect(() => ensureSimCredentials(dir, {})).toThrow(/does not hold an apiKey and apiSecret/);
    expect(readFileSync(file, 'utf8')).toContain('short');
  });

  it('keeps the read-only pair in a file of its own, and names its own variables', () => {
    const dir = tempDir();
    const trading = ensureSimCredentials(dir, {});
    const readOnly = ensureSimCredentials(dir, {}, 'read-only');
    expect(readOnly.apiKey).not.toBe(trading.apiKey);
    expect(statSync(join(dir, SIM_READONLY_CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    expect(ensureSimCredentials(dir, {}, 'read-only')).toEqual({ ...readOnly, source: 'stored' });
    expect(() => ensureSimCredentials(dir, { apiKey: 'k'.repeat(20) }, 'read-only')).toThrow(
      /BOURSE_SIM_READONLY_API_SECRET is unset/,
    );
  });
});
