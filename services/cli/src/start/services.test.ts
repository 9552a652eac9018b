import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@bourse/servers/testing';
import { EXCHANGE_SIM, PLATFORM_SERVICES, resolveServices } from './services.js';

const root = tempDir('bourse-services-');
afterAll(() => root.remove());

describe('resolveServices', () => {
  it('lists every service as not built in an empty checkout', () => {
    const { built, notBuilt } = resolveServices(root.path);
    expect(built).toEqual([]);
    expect(notBuilt.map((s) => s.name)).toEqual(PLATFORM_SERVICES.map((s) => s.name));
  });

  it('runs what exists, in the declared order, with absolute entry paths', () => {
    for (const name of ['risk-gate', 'exchange-sim']) {
      mkdirSync(join(root.path, 'services', name, 'src'), { recursive: true });
      root.file(`services/${name}/src/main.ts`, '');
    }
    const { built, notBuilt } = resolveServices(root.path);
    expect(built.map((s) => s.name)).toEqual(['exchange-sim', 'risk-gate']);
    expect(built[0]?.path).toBe(join(root.path, EXCHANGE_SIM.entry));
    expect(notBuilt.map((s) => s.name)).not.toContain('exchange-sim');
    expect(notBuilt).toHaveLength(PLATFORM_SERVICES.length - 2);
  });

  it('starts the venue first and strategies last', () => {
    expect(PLATFORM_SERVICES[0]?.name).toBe('exchange-sim');
    expect(PLATFORM_SERVICES.at(-1)?.name).toBe('strategy-runner');
  });
});
