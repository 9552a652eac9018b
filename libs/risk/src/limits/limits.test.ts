import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LimitsConfigError } from '../errors.js';
import { diffLimits, loadLimits } from './limits.js';
import {
  DEFAULT_REJECTION_BURST,
  DEFAULT_STALE_FEED_HALT_AFTER_MS,
  resolveLimits,
  resolveKillSwitchAction,
  resolveRejectionBurst,
  resolveStaleFeedHaltAfterMs,
} from './resolve.js';

// The annotated example is the risk gate's default limits file and so lives with the service; this
// test keeps it and the schema in step. Read as text, not imported: the library does not depend on it.
const exampleText = readFileSync(
  new URL('../../../../services/risk-gate/config/limits.example.yaml', import.meta.url),
  'utf8',
);

/** The example file, with `replace` that fails when the text to replace is not there. */
class Example {
  constructor(readonly text: string) {}
  replace(from: string | RegExp, to: string): Example {
    const found = typeof from === 'string' ? this.text.includes(from) : from.test(this.text);
    if (!found) throw new Error(`the example file has no ${String(from)}`);
    return new Example(this.text.replace(from, to));
  }
  toString(): string {
    return this.text;
  }
}
const example = new Example(exampleText);

function issuesOf(text: string | Example, format: 'yaml' | 'json' = 'yaml'): { path: string; message: string }[] {
  try {
    loadLimits(String(text), format);
  } catch (error) {
    expect(error).toBeInstanceOf(LimitsConfigError);
    const e = error as LimitsConfigError;
    expect(e.code).toBe('INVALID_LIMITS');
    return [...e.issues];
  }
  throw new Error('expected the limits to be refused');
}

describe('loadLimits', () => {
  it('loads the example file, filling defaults', () => {
    const config = loadLimits(exampleText, 'yaml');
    expect(config.defaults.maxOrderNotional).toBe('25000');
    expect(config.strategies['sma-cross']?.instruments?.['BTC/USDT']?.maxPosition).toBe('0.5');
    expect(config.defaultTimeInForce).toBe('GTC');
  });

  it('loads the same config from JSON', () => {
    const yaml = loadLimits(exampleText, 'yaml');
    expect(loadLimits(JSON.stringify(yaml), 'json')).toEqual(yaml);
  });

  it('refuses a bare YAML number where a decimal string belongs, naming the path', () => {
    const issues = issuesOf(example.replace(`maxPosition: '0.5'`, 'maxPosition: 0.5'));
    expect(issues).toEqual([
      {
        path: 'strategies.sma-cross.instruments.BTC/USDT.maxPosition',
        message: expect.stringMatching(/quoted decimal/),
      },
    ]);
  });

  it('refuses an unknown key, a key at the wrong level, a fractional count and a negative amount', () => {
    const text = example
      .replace('maxOpenOrders: 5', 'maxOpenOrders: 5.5')
      .replace(`maxOrderQty: '20'`, `maxOrderQty: '-20'`)
      .replace(`    priceBandBps: '50'`, `    priceBandBps: '50'\n        maxDailyLoss: { USDT: '1' }`)
      .replace('allowSharedInstrument: true', `allowSharedInstrument: true\n  maxPositon: '1'`);
    const paths = issuesOf(text).map((i) => i.path);
    expect(paths.sort()).toEqual(
      [
        'defaults',
        'instruments.ETH/USDT.maxOrderQty',
        'strategies.sma-cross.instruments.BTC/USDT',
        'strategies.sma-cross.maxOpenOrders',
      ].sort(),
    );
    expect(issuesOf(text).find((i) => i.path === 'defaults')?.message).toContain('maxPositon');
  });

  it('refuses a missing required default and a bad session, and says so by path', () => {
    const text = example.replace(/ {2}maxOrderNotional: .*\n/, '').replace(`start: '07:00'`, `start: '7am'`);
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['defaults.maxOrderNotional', 'instruments.ETH/USDT.sessions.0.start'].sort(),
    );
  });

  it('refuses text that is not YAML or JSON at all', () => {
    expect(issuesOf('{ "v": 1,', 'json')[0]?.path).toBe('(file)');
    expect(issuesOf('defaults: [unclosed', 'yaml')[0]?.message).toMatch(/not valid YAML/);
  });
});

describe('resolveLimits', () => {
  const config = loadLimits(exampleText, 'yaml');

  it('takes each key from the most specific level that sets it', () => {
    const pair = resolveLimits(config, 'sma-cross', 'BTC/USDT');
    expect(pair.maxPosition?.toString()).toBe('0.5'); // strategy × instrument
    expect(pair.priceBandBps?.toString()).toBe('50'); // strategy × instrument
    expect(pair.maxOpenOrders).toBe(5); // strategy
    expect(pair.maxOrderQty?.toString()).toBe('1'); // defaults
    expect(pair.maxDailyLoss.USDT?.toString()).toBe('200'); // strategy
    expect(pair.global.maxDailyLoss.USDT?.toString()).toBe('2500');

    const eth = resolveLimits(config, 'sma-cross', 'ETH/USDT');
    expect(eth.maxOrderQty?.toString()).toBe('20'); // instrument
    expect(eth.maxPosition?.toString()).toBe('30'); // instrument (the strategy sets none of its own)
    expect(eth.allowSharedInstrument).toBe(false);
    expect(eth.sessions).toHaveLength(2);

    const other = resolveLimits(config, 'mean-rev', 'ETH/USDT');
    expect(other.maxOpenOrders).toBe(20); // defaults
    expect(other.maxAggregatePosition?.toString()).toBe('40');
  });

  it('prefers the strategy over the instrument when both set a key', () => {
    const text = example.replace('    maxOpenOrders: 5', `    maxOpenOrders: 5\n    maxOrderQty: '3'`);
    expect(resolveLimits(loadLimits(String(text), 'yaml'), 'sma-cross', 'ETH/USDT').maxOrderQty?.toString()).toBe('3');
  });
});

describe('kill-switch triggers in the limits', () => {
  const config = loadLimits(exampleText, 'yaml');

  it('resolves key by key: strategy or instrument > defaults > built-in', () => {
    expect(resolveRejectionBurst(config, 'sma-cross')).toEqual({ count: 3, windowMs: 60_000 });
    expect(resolveRejectionBurst(config, 'mean-rev')).toEqual({ count: 5, windowMs: 60_000 });
    expect(resolveStaleFeedHaltAfterMs(config, 'ETH/USDT')).toBe(30_000);
    expect(resolveStaleFeedHaltAfterMs(config, 'BTC/USDT')).toBe(15_000);
  });

  it('keeps both on with the built-in defaults when the file has no killSwitch block (older files)', () => {
    const old = loadLimits(
      example
        .replace(/ {2}# kill-switch triggers[^]*?staleFeedHaltAfterMs: 15000\n/, '')
        .replace(/ {4}killSwitch: \{ staleFeedHaltAfterMs: 30000 \}.*\n/, '')
        .replace(/ {4}killSwitch:\n {6}rejectionBurst: \{ count: 3 \}.*\n/, '')
        .toString(),
      'yaml',
    );
    expect(JSON.stringify(old)).not.toContain('killSwitch');
    expect(resolveRejectionBurst(old, 'sma-cross')).toEqual(DEFAULT_REJECTION_BURST);
    expect(DEFAULT_REJECTION_BURST).toEqual({ count: 5, windowMs: 60_000 });
    expect(resolveStaleFeedHaltAfterMs(old, 'ETH/USDT')).toBe(DEFAULT_STALE_FEED_HALT_AFTER_MS);
    expect(DEFAULT_STALE_FEED_HALT_AFTER_MS).toBe(15_000);
  });

  it('turns each off with 0', () => {
    const off = loadLimits(
      example
        .replace('rejectionBurst: { count: 5, windowMs: 60000 }', 'rejectionBurst: { count: 0 }')
        .replace('staleFeedHaltAfterMs: 15000', 'staleFeedHaltAfterMs: 0')
        .toString(),
      'yaml',
    );
    expect(resolveRejectionBurst(off, 'mean-rev').count).toBe(0);
    expect(resolveStaleFeedHaltAfterMs(off, 'BTC/USDT')).toBe(0);
  });

  it('refuses a trigger at a level where it means nothing, a fraction and a negative bound', () => {
    const text = example
      .replace('rejectionBurst: { count: 3 }', 'rejectionBurst: { count: 2.5 }\n      staleFeedHaltAfterMs: 1000')
      .replace('killSwitch: { staleFeedHaltAfterMs: 30000 }', 'killSwitch: { staleFeedHaltAfterMs: -1 }')
      .replace('rejectionBurst: { count: 5, windowMs: 60000 }', 'rejectionBurst: { count: 5, windowMs: 0 }');
    expect(
      issuesOf(text)
        .map((i) => i.path)
        .sort(),
    ).toEqual(
      [
        'defaults.killSwitch.rejectionBurst.windowMs',
        'instruments.ETH/USDT.killSwitch.staleFeedHaltAfterMs',
        'strategies.sma-cross.killSwitch',
        'strategies.sma-cross.killSwitch.rejectionBurst.count',
      ].sort(),
    );
  });
});

describe('kill-switch actions in the limits', () => {
  const base = loadLimits(exampleText, 'yaml');

  it('defaults to halt-and-cancel for daily loss and drift, halt for the others, when nothing is set', () => {
    const bare = { ...base, global: {}, defaults: { ...base.defaults, killSwitch: undefined } };
    const strategy = { kind: 'strategy', strategyId: 'mean-rev' } as const;
    const instrument = { kind: 'instrument', symbol: 'BTCUSDT' } as const;
    expect(resolveKillSwitchAction(bare, 'daily-loss', strategy)).toBe('halt-and-cancel');
    expect(resolveKillSwitchAction(bare, 'daily-loss', { kind: 'global' })).toBe('halt-and-cancel');
    expect(resolveKillSwitchAction(bare, 'reconciliation-drift', { kind: 'global' })).toBe('halt-and-cancel');
    expect(resolveKillSwitchAction(bare, 'rejection-burst', strategy)).toBe('halt');
    expect(resolveKillSwitchAction(bare, 'stale-feed', instrument, 'BTC/USDT')).toBe('halt');
  });

  it('takes the most specific level of the scope: strategy or instrument, then defaults; global on its own', () => {
    const limits = loadLimits(
      example
        .replace('    staleFeedAction: halt\n', '    staleFeedAction: halt-and-cancel\n')
        .replace(
          '    killSwitch: { staleFeedHaltAfterMs: 30000 }',
          '    killSwitch: { staleFeedHaltAfterMs: 30000, staleFeedAction: halt }',
        )
        .replace(
          '      rejectionBurst: { count: 3 }',
          '      rejectionBurst: { count: 3 }\n      dailyLossAction: halt',
        )
        .replace('  # killSwitch: { dailyLossAction', '  killSwitch: { dailyLossAction')
        .toString(),
      'yaml',
    );
    const eth = { kind: 'instrument', symbol: 'ETHUSDT' } as const;
    const btc = { kind: 'instrument', symbol: 'BTCUSDT' } as const;
    expect(resolveKillSwitchAction(limits, 'stale-feed', eth, 'ETH/USDT')).toBe('halt');
    expect(resolveKillSwitchAction(limits, 'stale-feed', btc, 'BTC/USDT')).toBe('halt-and-cancel');
    expect(resolveKillSwitchAction(limits, 'daily-loss', { kind: 'strategy', strategyId: 'sma-cross' })).toBe('halt');
    expect(resolveKillSwitchAction(limits, 'daily-loss', { kind: 'strategy', strategyId: 'other' })).toBe(
      'halt-and-cancel',
    );
    expect(resolveKillSwitchAction(limits, 'reconciliation-drift', { kind: 'global' })).toBe('halt');
  });

  it('refuses an action it does not know, naming the key', () => {
    expect(issuesOf(example.replace('    rejectionBurstAction: halt\n', '    rejectionBurstAction: cancel\n'))).toEqual(
      [expect.objectContaining({ path: 'defaults.killSwitch.rejectionBurstAction' })],
    );
  });
});

describe('diffLimits', () => {
  it('lists every changed, added and removed limit by path', () => {
    const before = loadLimits(exampleText, 'yaml');
    const after = loadLimits(
      example
        .replace(`maxPosition: '0.5'`, `maxPosition: '0.75'`)
        .replace(`    maxDailyLoss: { USDT: '200' }\n`, '')
        .replace(`maxAggregatePosition: '40'`, `maxAggregatePosition: '40'\n    maxOrderNotional: '9000'`)
        .replace(
          `      - { days: [SUN], start: '22:00', end: '02:00' } # crosses midnight: Sunday 22:00 to Monday 02:00\n`,
          '',
        )
        .replace('  maxOpenOrders: 200', '  maxOpenOrders: 100')
        .toString(),
      'yaml',
    );
    expect(diffLimits(before, after)).toEqual([
      { path: 'global.maxOpenOrders', before: '200', after: '100' },
      { path: 'instruments.ETH/USDT.maxOrderNotional', after: '9000' },
      {
        path: 'instruments.ETH/USDT.sessions',
        before: expect.stringContaining('"SUN"'),
        after: expect.not.stringContaining('"SUN"'),
      },
      { path: 'strategies.sma-cross.instruments.BTC/USDT.maxPosition', before: '0.5', after: '0.75' },
      { path: 'strategies.sma-cross.maxDailyLoss.USDT', before: '200' },
    ]);
    expect(diffLimits(before, before)).toEqual([]);
  });
});
