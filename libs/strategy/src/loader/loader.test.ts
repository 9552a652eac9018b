import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../bars/bar.js';
import { smaCross } from '../builtin/sma-cross.js';
import { snapshotContext } from '../sdk/context.js';
import { StrategyErrorCode, StrategyHandlerError } from '../sdk/errors.js';
import { StrategiesFileError } from '../runner/errors.js';
import { parseStrategies } from '../runner/strategies-config.js';
import {
  ForbiddenStrategyImportError,
  StrategyCheckError,
  StrategyExportError,
  StrategyModuleError,
  StrategyNotFoundError,
  loadStrategies,
  loadStrategy,
  parseStrategyRef,
  type StrategyRef,
} from './index.js';

// Strategy files are written to a folder outside the repository (os.tmpdir), where no node_modules of
// the platform can be found: their `@bourse/strategy` and `zod` imports are the platform's own.
const dir = mkdtempSync(join(tmpdir(), 'bourse-loader-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const bar: Bar = {
  symbol: 'BTC/USDT',
  timeframeMs: 60_000,
  openTime: 0,
  closeTime: 60_000,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  tradeCount: 1,
  state: 'closed',
};
const mod = (module: string, exportName?: string): StrategyRef => ({
  kind: 'module',
  module,
  baseDir: dir,
  ...(exportName !== undefined ? { export: exportName } : {}),
});

export const BUY_FIRST_BAR = `
import { z } from 'zod';
import { defineStrategy, type IntentDraft } from '@bourse/strategy';
import { threshold } from './lib/threshold.ts';

export const buyFirstBar = defineStrategy({
  name: 'buy-first-bar',
  version: '1.0.0',
  params: z.strictObject({ qty: z.string().default('1'), period: z.number().int().min(2).default(3) }),
  timeframes: ['1m'],
  evaluation: { mode: 'event', throttleMs: 0 },
  warmup: (p) => [{ timeframe: '1m', bars: p.period }],
  create(params) {
    let bought = false;
    return {
      onBar(bar, ctx): IntentDraft[] {
        if (bought || bar.close < threshold) return [];
        bought = true;
        return [{ instrument: bar.symbol, side: 'BUY', qty: params.qty, style: 'market', inputs: { close: String(bar.close) } }];
      },
    };
  },
});
`;

describe('loadStrategy', () => {
  file('lib/threshold.ts', 'export const threshold: number = 0;\n');
  const good = file('good.ts', BUY_FIRST_BAR);

  it('loads a built-in through the same loader', async () => {
    const loaded = await loadStrategy(
      { kind: 'builtin', name: 'sma-cross' },
      {
        params: { fast: 2, slow: 3, sizing: { kind: 'qty', qty: '1' } },
      },
    );
    expect(loaded.definition).toBe(smaCross);
    expect(loaded.file).toBe('builtin:sma-cross');
  });

  it('loads a TypeScript module from outside the repository, with its relative imports, and runs it', async () => {
    const loaded = await loadStrategy(mod('./good.ts'));
    expect(loaded.exportName).toBe('buyFirstBar');
    expect(loaded.file).toBe(good);
    expect(loaded.files).toEqual([good, join(dir, 'lib/threshold.ts')]);
    const instance = loaded.definition.instantiate({ params: { qty: '2' }, instruments: ['BTC/USDT'] });
    expect(instance.warmup).toEqual([{ label: '1m', ms: 60_000, bars: 3 }]);
    const drafts = instance.onBar(bar, snapshotContext({}, { now: () => 60_000 }));
    expect(drafts).toMatchObject([{ side: 'BUY', qty: '2', instrument: 'BTC/USDT' }]);
  });

  it('names an export with #name, and parses command-line references', async () => {
    const loaded = await loadStrategy(parseStrategyRef('./good.ts#buyFirstBar', dir));
    expect(loaded.exportName).toBe('buyFirstBar');
    expect(parseStrategyRef('sma-cross', dir)).toEqual({ kind: 'builtin', name: 'sma-cross' });
    expect(parseStrategyRef('@acme/strats#x', dir)).toEqual({
      kind: 'module',
      module: '@acme/strats',
      export: 'x',
      baseDir: dir,
    });
  });

  it('loads a package specifier, resolved from the base folder as Node resolves it', async () => {
    file('node_modules/@acme/strats/package.json', JSON.stringify({ name: '@acme/strats', main: 'index.ts' }));
    file('node_modules/@acme/strats/threshold.ts', 'export const threshold = 0;\n');
    file('node_modules/@acme/strats/index.ts', BUY_FIRST_BAR.replace('./lib/threshold.ts', './threshold.ts'));
    const loaded = await loadStrategy(parseStrategyRef('@acme/strats#buyFirstBar', dir), { params: {} });
    expect(loaded.file).toBe(join(dir, 'node_modules/@acme/strats/index.ts'));
    expect(loaded.definition.name).toBe('buy-first-bar');
  });

  it('errors of the loaded strategy are the platform’s own classes', async () => {
    file(
      'throws.ts',
      BUY_FIRST_BAR.replace('if (bought || bar.close < threshold) return [];', "throw new Error('boom');"),
    );
    const loaded = await loadStrategy(mod('./throws.ts'));
    const instance = loaded.definition.instantiate({ params: {}, instruments: ['BTC/USDT'] });
    expect(() => instance.onBar(bar, snapshotContext({}, { now: () => 60_000 }))).toThrow(StrategyHandlerError);
  });

  it('refuses a missing file, naming it', async () => {
    const err = await loadStrategy(mod('./nope.ts')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrategyNotFoundError);
    expect(err).toMatchObject({
      code: StrategyErrorCode.STRATEGY_NOT_FOUND,
      file: join(dir, 'nope.ts'),
      field: 'module',
    });
    const pkg = await loadStrategy(mod('@acme/no-such-strategies')).catch((e: unknown) => e);
    expect(pkg).toBeInstanceOf(StrategyNotFoundError);
    // A bare word on a command line is a package specifier unless it is a built-in: the error lists both.
    const word = await loadStrategy(parseStrategyRef('macd', dir)).catch((e: unknown) => e);
    expect((word as Error).message).toMatch(
      /no package "macd" .* no built-in strategy has that name \(built-ins: sma-cross/,
    );
    const builtin = await loadStrategy({ kind: 'builtin', name: 'macd' }).catch((e: unknown) => e);
    expect(builtin).toMatchObject({ code: StrategyErrorCode.STRATEGY_NOT_FOUND, field: 'name', value: 'macd' });
  });

  it('refuses an export that is missing or not a strategy definition', async () => {
    const missing = await loadStrategy(mod('./good.ts', 'meanRevert')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StrategyExportError);
    expect(missing).toMatchObject({ file: good, exportName: 'meanRevert', field: 'export' });
    expect((missing as Error).message).toContain('its strategy exports: buyFirstBar');
    file('plain.ts', 'export default { name: "x", version: "1", instantiate() {} };\n');
    const plain = await loadStrategy(mod('./plain.ts')).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(StrategyExportError);
    expect((plain as Error).message).toContain('default export is not a defineStrategy(...) result');
  });

  it('refuses params that fail the schema, naming the field', async () => {
    const err = await loadStrategy(mod('./good.ts'), { params: { period: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrategyCheckError);
    expect(err).toMatchObject({ file: good, exportName: 'buyFirstBar', field: 'params.period' });
    const builtin = await loadStrategy({ kind: 'builtin', name: 'sma-cross' }, { params: { fast: 5, slow: 3 } }).catch(
      (e: unknown) => e,
    );
    expect(builtin).toBeInstanceOf(StrategyCheckError);
    expect(builtin).toMatchObject({ file: 'builtin:sma-cross', field: 'params.sizing' });
  });

  it('refuses a warm-up on a timeframe the strategy does not use, and a bad timeframe', async () => {
    file(
      'warmup.ts',
      BUY_FIRST_BAR.replace("[{ timeframe: '1m', bars: p.period }]", "[{ timeframe: '5m', bars: p.period }]"),
    );
    const err = await loadStrategy(mod('./warmup.ts'), { params: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrategyCheckError);
    expect(err).toMatchObject({ field: 'warmup.0.timeframe', exportName: 'buyFirstBar' });
    file('timeframe.ts', BUY_FIRST_BAR.replace("timeframes: ['1m']", "timeframes: ['7x']"));
    const tf = await loadStrategy(mod('./timeframe.ts'), { params: {} }).catch((e: unknown) => e);
    // A fixed list is checked by defineStrategy itself, while the module is evaluated.
    expect(tf).toBeInstanceOf(StrategyModuleError);
    expect((tf as Error).message).toContain('timeframes.0');
  });

  it.each([
    ['node:fs', "import { readFileSync } from 'node:fs';\nvoid readFileSync;"],
    ['node:net', "import * as net from 'node:net';\nvoid net;"],
    ['child_process', "import { exec } from 'child_process';\nvoid exec;"],
    ['node:https', "export { request } from 'node:https';"],
    ['@bourse/bus', "import * as bus from '@bourse/bus';\nvoid bus;"],
    ['@bourse/venue-binance', "import * as v from '@bourse/venue-binance';\nvoid v;"],
    ['nats', "const nats = require('nats');\nvoid nats;"],
    ['pg', "import('pg').then(() => undefined);"],
    ['ioredis', "import Redis from 'ioredis';\nvoid Redis;"],
    ['fetch(', "export const poke = () => fetch('http://example.com');"],
    ['import() of a computed specifier (cannot be checked)', "const name = 'no' + 'de:fs';\nvoid import(name);"],
  ])('refuses a strategy that imports or uses %s, naming the importing file', async (what, code) => {
    // The forbidden import sits in a helper the strategy imports, to show relative imports are followed.
    const name = what.replace(/[^a-z]/gi, '');
    file(`io/${name}-helper.ts`, `${code}\nexport const threshold = 0;\n`);
    file(`io/${name}.ts`, BUY_FIRST_BAR.replace('./lib/threshold.ts', `./${name}-helper.ts`));
    const err = await loadStrategy(mod(`./io/${name}.ts`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenStrategyImportError);
    expect(err).toMatchObject({ file: join(dir, `io/${name}-helper.ts`), field: 'imports', value: what });
    expect((err as Error).message).toContain(`io/${name}-helper.ts#default: imports: imports "${what}"`);
  });

  it('a comment that mentions fetch( or node:fs is not an import', async () => {
    file('commented.ts', `// do not fetch( anything; see node:fs\n/* import 'node:fs' */\n${BUY_FIRST_BAR}`);
    await expect(loadStrategy(mod('./commented.ts'))).resolves.toMatchObject({ exportName: 'buyFirstBar' });
  });

  it('refuses a module that does not compile or throws on load', async () => {
    file('syntax.ts', 'export const x = ;\n');
    const syntax = await loadStrategy(mod('./syntax.ts')).catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(StrategyModuleError);
    expect(syntax).toMatchObject({ field: 'module', file: join(dir, 'syntax.ts') });
    file('throwing.ts', "throw new Error('no luck');\n");
    const thrown = await loadStrategy(mod('./throwing.ts')).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(StrategyModuleError);
    expect((thrown as Error).message).toContain('no luck');
  });
});

describe('loadStrategies (the strategies file)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bourse-strategies-file-'));
  mkdirSync(join(folder, 'strategies'));
  writeFileSync(join(folder, 'strategies', 'helper.ts'), 'export const threshold = 0;\n');
  writeFileSync(join(folder, 'strategies', 'buy.ts'), BUY_FIRST_BAR.replace('./lib/threshold.ts', './helper.ts'));
  writeFileSync(
    join(folder, 'strategies', 'leaky.ts'),
    `import 'node:net';\n${BUY_FIRST_BAR.replace('./lib/threshold.ts', './helper.ts')}`,
  );
  const entry = (extra: string) =>
    `  - ${extra}\n    version: 1.0.0\n    venue: binance\n    instruments: [BTC/USDT]\n`;
  const text =
    'strategies:\n' +
    entry('module: ./strategies/buy.ts#buyFirstBar\n    id: buy-mod') +
    entry('name: sma-cross\n    params: { fast: 2, slow: 3, sizing: { kind: qty, qty: "1" } }') +
    entry('module: ./strategies/missing.ts\n    id: missing') +
    entry('module: ./strategies/buy.ts\n    export: nope\n    id: bad-export') +
    entry('module: ./strategies/buy.ts\n    id: bad-params\n    params: { period: 0 }') +
    entry('module: ./strategies/leaky.ts\n    id: leaky');

  it('loads the good entries and refuses each bad one with its own error', async () => {
    const { strategies, refused, sources } = await loadStrategies(text, 'strategies.yaml', { baseDir: folder });
    expect(strategies.map((s) => s.id)).toEqual(['buy-mod', 'sma-cross']);
    expect(sources.get('buy-mod')?.file).toBe(join(folder, 'strategies', 'buy.ts'));
    expect(refused.map((r) => [r.at, r.id, r.error.code, r.error.field])).toEqual([
      ['strategies.2', 'missing', 'STRATEGY_NOT_FOUND', 'module'],
      ['strategies.3', 'bad-export', 'STRATEGY_EXPORT_INVALID', 'export'],
      ['strategies.4', 'bad-params', 'STRATEGY_CHECK_FAILED', 'params.period'],
      ['strategies.5', 'leaky', 'STRATEGY_IMPORT_FORBIDDEN', 'imports'],
    ]);
  });

  it('still fails the whole file on a schema error or a version that is not the strategy’s', async () => {
    await expect(
      loadStrategies('strategies:\n  - module: ./x.ts\n    name: sma-cross\n', 's.yaml', { baseDir: folder }),
    ).rejects.toThrow(StrategiesFileError);
    const wrongVersion = 'strategies:\n' + entry('module: ./strategies/buy.ts').replace('1.0.0', '2.0.0');
    await expect(loadStrategies(wrongVersion, 's.yaml', { baseDir: folder })).rejects.toThrow(/strategies\.0\.version/);
  });

  it('parseStrategies (sync, built-ins only) refuses a module entry', () => {
    expect(() => parseStrategies('strategies:\n' + entry('module: ./strategies/buy.ts'), 's.yaml')).toThrow(
      /loadStrategies/,
    );
  });
});
