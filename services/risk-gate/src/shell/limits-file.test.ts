import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLimitsConfigError, limitsFormatOf } from '@bourse/risk';
import { LimitsFile } from './limits-file.js';

const valid = {
  v: 1,
  defaults: {
    maxOrderNotional: '1000',
    priceBandBps: '100',
    maxQuoteAgeMs: 1000,
    maxOpenOrders: 5,
    orderRate: { maxOrders: 5, windowMs: 1000 },
    rejectionCooldown: { afterRejections: 3, cooldownMs: 1000 },
  },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'risk-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LimitsFile', () => {
  it('reads .json as JSON and anything else as YAML', () => {
    expect(limitsFormatOf('/x/limits.JSON')).toBe('json');
    expect(limitsFormatOf('/x/limits.yaml')).toBe('yaml');
    expect(limitsFormatOf('/x/limits')).toBe('yaml');
  });

  it('loads and validates a JSON file', async () => {
    const path = join(dir, 'limits.json');
    await writeFile(path, JSON.stringify(valid));
    const limits = await new LimitsFile(path).load();
    expect(limits.defaults.maxOrderNotional).toBe('1000');
  });

  it('refuses a file that breaks the schema, naming the path', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(path, 'v: 1\ndefaults: { maxOrderNotional: 1000 }\n');
    const error = await new LimitsFile(path).load().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isLimitsConfigError(error)).toBe(true);
    expect((error as Error).message).toContain('defaults.maxOrderNotional');
  });

  it('reports a change of the file', async () => {
    const path = join(dir, 'watched.json');
    await writeFile(path, JSON.stringify(valid));
    const file = new LimitsFile(path, 50);
    const changed = new Promise<void>((resolve) => {
      const stop = file.watch(() => {
        stop();
        resolve();
      });
    });
    await writeFile(path, JSON.stringify({ ...valid, whenGlobalStateMissing: 'ACTIVE' }));
    await changed;
    expect((await file.load()).whenGlobalStateMissing).toBe('ACTIVE');
  });
});
