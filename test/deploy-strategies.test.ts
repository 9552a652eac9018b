// The example strategies folder (examples/strategies: a strategies file with a `module:` entry and the
// user's strategy file) as the deployments hand it to the strategy runner: copied outside the
// repository (no node_modules beside it), and laid out as the kubelet lays out a ConfigMap volume
// (each key a symlink through `..data` to a timestamped folder). Both load with the runner's own
// `loadStrategiesFile`, writing nothing into the folder (the compose and k8s mounts are read-only), and
// the strategy trades in a short backtest. No container runs here (no Docker engine, no cluster): the
// mounts themselves are checked statically in test/compose.test.ts and test/k8s-render.test.ts.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBacktest, sampleBars } from '@bourse/backtest';
import { loadStrategiesFile } from '@bourse/strategy-runner';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/strategies');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Every entry under `dir`, recursively (symlinks not followed), sorted. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * `files` as a ConfigMap volume holds them: the data in `..<timestamp>/`, `..data` a symlink to it, and
 * each key a symlink to `..data/<key>` (the kubelet's atomic writer, so an update swaps `..data`).
 */
function configMapVolume(files: Record<string, string>): string {
  const mount = tempDir('bourse-configmap-');
  const stamp = '..2026_12_07_14_00_00.000000001';
  mkdirSync(join(mount, stamp));
  for (const [key, text] of Object.entries(files)) writeFileSync(join(mount, stamp, key), text);
  symlinkSync(stamp, join(mount, '..data'));
  for (const key of Object.keys(files)) symlinkSync(join('..data', key), join(mount, key));
  return mount;
}

const exampleFiles = (): Record<string, string> =>
  Object.fromEntries(readdirSync(EXAMPLE).map((f) => [f, readFileSync(join(EXAMPLE, f), 'utf8')]));

describe('examples/strategies as the deployments mount it', { timeout: 60_000 }, () => {
  it('loads from a folder outside the repository with the runner loader, and writes nothing into it', async () => {
    const folder = tempDir('bourse-user-strategies-');
    cpSync(EXAMPLE, folder, { recursive: true });
    const before = listing(folder);
    const loaded = await loadStrategiesFile(join(folder, 'strategies.yaml'));
    expect(loaded.refused).toEqual([]);
    expect(loaded.strategies.map((s) => [s.id, s.version, s.instruments.map((i) => i.symbol)])).toEqual([
      ['mr-btc', '0.1.0', ['BTC/USDT']],
    ]);
    const source = loaded.sources.get('mr-btc');
    expect(source?.file).toBe(join(folder, 'mean-revert.ts'));
    expect(source?.exportName).toBe('default');
    expect(listing(folder)).toEqual(before);
  });

  it('loads from a ConfigMap volume (keys symlinked through ..data), modules relative to the mount', async () => {
    const mount = configMapVolume(exampleFiles());
    const before = listing(mount);
    const loaded = await loadStrategiesFile(join(mount, 'strategies.yaml'));
    expect(loaded.refused).toEqual([]);
    expect(loaded.strategies.map((s) => s.id)).toEqual(['mr-btc']);
    expect(loaded.sources.get('mr-btc')?.exportName).toBe('default');
    expect(listing(mount)).toEqual(before);
  });

  it('backtests the example strategy with the params its strategies file gives it, and it trades', async () => {
    const loaded = await loadStrategiesFile(join(EXAMPLE, 'strategies.yaml'));
    const [config] = loaded.strategies;
    expect(config).toBeDefined();
    if (config === undefined) return;
    const result = await runBacktest(
      {
        strategy: config.definition,
        params: config.params as Record<string, unknown>,
        symbol: 'BTC/USDT',
        cash: '100000',
        execution: { lot: '0.01', tick: '0.01' },
        longShort: false,
        barMs: 1000,
      },
      sampleBars(300, 1000),
    );
    expect(result.stats.tradeCount).toBeGreaterThan(0);
  });
});

describe('examples/strategies.Dockerfile (the FROM-image route; not built here: no Docker engine)', () => {
  const instructions = readFileSync(join(ROOT, 'examples/strategies.Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z]+\s/.test(l));

  it("builds FROM Bourse's image, copies the folder to /strategies and points STRATEGIES_FILE inside it", () => {
    expect(instructions).toEqual([
      'ARG BOURSE_IMAGE=bourse:dev',
      'FROM ${BOURSE_IMAGE}',
      'COPY . /strategies/',
      'ENV STRATEGIES_FILE=/strategies/strategies.yaml',
    ]);
    // The default base is the image docker-compose.yml builds; no USER: the runner stays uid 1000.
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('image: bourse:dev');
    // The build context (the strategies folder) holds the file ENV names, at the path COPY puts it.
    expect(readdirSync(EXAMPLE)).toContain('strategies.yaml');
  });
});
