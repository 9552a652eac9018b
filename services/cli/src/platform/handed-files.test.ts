// The files `bourse start` hands to services are checked with the services' own parsers before
// anything starts: a bad strategies or limits file is refused by name, with the field.
import { afterAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { runStart } from '../start/start.js';
import { tempDir } from '@bourse/servers/testing';
import { checkHandedFiles } from './handed-files.js';
import { loadPlatformConfig } from './load-platform-config.js';

const dir = tempDir('bourse-handed-');
afterAll(() => dir.remove());

// The shipped config's limits and strategies, as files: what a user who moves them out would write.
const shipped = loadPlatformConfig({ root: repoRoot(), env: {} }).config;
const GOOD_LIMITS = toYaml(shipped.risk.limits);
const BAD_STRATEGIES = toYaml({
  strategies: shipped.strategies.list.map((s, i) =>
    i === 0 ? { ...s, params: { ...(s['params'] as object), fast: 'ten' } } : s,
  ),
});

function platformWith(yaml: string) {
  return loadPlatformConfig({ root: dir.path, file: 'bourse.yaml', env: {}, readFile: () => yaml });
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('checkHandedFiles', () => {
  it('accepts files the services accept', () => {
    dir.file('limits-ok.yaml', GOOD_LIMITS);
    const { config } = platformWith(`v: 1\nrisk: { limitsFile: limits-ok.yaml }\n`);
    expect(() => checkHandedFiles(config, dir.path)).not.toThrow();
  });

  it('refuses a strategies file with bad parameters, naming the file and the field', () => {
    dir.file('limits-ok.yaml', GOOD_LIMITS);
    dir.file('strategies-bad.yaml', BAD_STRATEGIES);
    const { config } = platformWith(
      `v: 1\nrisk: { limitsFile: limits-ok.yaml }\nstrategies: { file: strategies-bad.yaml }\n`,
    );
    const err = configError(() => checkHandedFiles(config, dir.path));
    expect(err.variable).toBe('strategies.file');
    expect(err.message).toMatch(/^strategies file strategies-bad\.yaml: strategies\.0\.params.*fast/);
  });

  it('passes module: entries on their schema (the runner loads them) and still checks the built-ins beside them', () => {
    dir.file('limits-ok.yaml', GOOD_LIMITS);
    const moduleEntry = {
      module: './mine.ts',
      id: 'mine',
      version: '0.1.0',
      venue: 'binance',
      instruments: ['BTC/USDT'],
    };
    dir.file('strategies-mod.yaml', toYaml({ strategies: [moduleEntry, ...shipped.strategies.list] }));
    const good = platformWith(
      `v: 1\nrisk: { limitsFile: limits-ok.yaml }\nstrategies: { file: strategies-mod.yaml }\n`,
    );
    expect(() => checkHandedFiles(good.config, dir.path)).not.toThrow();
    dir.file('strategies-mod-bad.yaml', toYaml({ strategies: [{ ...moduleEntry, name: 'sma-cross' }] }));
    const bad = platformWith(
      `v: 1\nrisk: { limitsFile: limits-ok.yaml }\nstrategies: { file: strategies-mod-bad.yaml }\n`,
    );
    expect(configError(() => checkHandedFiles(bad.config, dir.path)).message).toMatch(
      /strategies\.0\.name: give either name .* or module/,
    );
  });

  it('refuses a missing or invalid limits file', () => {
    const missing = configError(() =>
      checkHandedFiles(platformWith(`v: 1\nrisk: { limitsFile: nowhere.yaml }\n`).config, dir.path),
    );
    expect(missing.message).toBe('risk limits file nowhere.yaml cannot be read: does not exist');
    dir.file('limits-bad.yaml', `defaults:\n  maxOrderQty: "-1"\n`);
    const bad = configError(() =>
      checkHandedFiles(platformWith(`v: 1\nrisk: { limitsFile: limits-bad.yaml }\n`).config, dir.path),
    );
    expect(bad.variable).toBe('risk.limitsFile');
    expect(bad.message).toMatch(/^risk limits file limits-bad\.yaml: .*maxOrderQty/);
  });

  it('makes bourse start refuse before it checks a server or starts a process', async () => {
    dir.file('limits-ok.yaml', GOOD_LIMITS);
    dir.file('strategies-bad.yaml', BAD_STRATEGIES);
    const platform = platformWith(
      `v: 1\nrisk: { limitsFile: limits-ok.yaml }\nstrategies: { file: strategies-bad.yaml }\n`,
    );
    const lines: string[] = [];
    const started = runStart(loadConfig(), {
      root: dir.path,
      stateDir: `${dir.path}/.bourse`,
      uid: -1,
      checkTimeoutMs: 1_000,
      readyTimeoutMs: 1_000,
      stopTimeoutMs: 1_000,
      write: (l) => lines.push(l),
      stop: new AbortController().signal,
      platform,
    });
    await expect(started).rejects.toThrow(/strategies file strategies-bad\.yaml/);
    expect(lines).toEqual([]);
  });
});
