import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closedBar, ManualClock } from '../test-support.js';
import type { UnitBars } from '../types.js';
import { snapshotContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { InvalidIntentError, InvalidStrategyDefinitionError, InvalidStrategySetupError } from './errors.js';

// A unit of instruments (issue 21 § 4): one instance over all of them, bars lined up by time in onBars,
// intents for any of its instruments and for no other.

const seen: UnitBars[] = [];
const pair = defineStrategy({
  name: 'pair',
  version: '1.0.0',
  unit: { minInstruments: 2, maxInstruments: 2 },
  params: z.strictObject({ outside: z.boolean().default(false) }),
  timeframes: ['1m'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(p, setup) {
    const [a, b] = setup.instruments as [string, string];
    return {
      onBars(window) {
        seen.push(window);
        if (p.outside) return [{ instrument: 'SOL/USDT', side: 'BUY', qty: '1', style: 'market' }];
        return [
          { instrument: a, side: 'BUY', qty: '1', style: 'market' },
          { instrument: b, side: 'SELL', qty: '2', style: 'market' },
        ];
      },
    };
  },
});

const ctx = snapshotContext({}, new ManualClock());
const btc = (i: number, close: number) => closedBar(i, close, { symbol: 'BTC/USDT' });
const eth = (i: number, close: number) => closedBar(i, close, { symbol: 'ETH/USDT' });

describe('a strategy that trades its instruments as one unit', () => {
  it('declares its unit on the definition and is refused with the wrong number of instruments', () => {
    expect(pair.unit).toEqual({ minInstruments: 2, maxInstruments: 2 });
    const err = (() => {
      try {
        pair.instantiate({ params: {}, instruments: ['BTC/USDT'] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidStrategySetupError);
    expect((err as InvalidStrategySetupError).issues[0]).toMatchObject({ path: 'instruments' });
    expect((err as Error).message).toContain('exactly 2 instruments; 1 given');
    expect(() => pair.instantiate({ params: {}, instruments: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] })).toThrow(
      /exactly 2 instruments; 3 given/,
    );
  });

  it('refuses a bad unit declaration, naming the field', () => {
    const bad = () =>
      defineStrategy({
        name: 'bad',
        version: '1.0.0',
        unit: { minInstruments: 1 },
        params: z.strictObject({}),
        timeframes: [],
        evaluation: { mode: 'event', throttleMs: 0 },
        create: () => ({}),
      });
    expect(bad).toThrow(InvalidStrategyDefinitionError);
    expect(bad).toThrow(/unit\.minInstruments/);
  });

  it('hands onBars the bars of both legs once both closed the same window, and skips a window one leg missed', () => {
    seen.length = 0;
    const instance = pair.instantiate({ params: {}, instruments: ['BTC/USDT', 'ETH/USDT'] });
    expect(instance.onBar(btc(0, 100), ctx)).toEqual([]);
    const drafts = instance.onBar(eth(0, 10), ctx);
    expect(drafts.map((d) => [d.instrument, d.side, d.qty])).toEqual([
      ['BTC/USDT', 'BUY', '1'],
      ['ETH/USDT', 'SELL', '2'],
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.openTime).toBe(btc(0, 1).openTime);
    expect(seen[0]!.bars['BTC/USDT']!.close).toBe(100);
    expect(seen[0]!.bars['ETH/USDT']!.close).toBe(10);
    // BTC closes windows 1 and 2, ETH only 2 (no trade in 1): window 1 can never complete.
    instance.onBar(btc(1, 101), ctx);
    instance.onBar(btc(2, 102), ctx);
    instance.onBar(eth(2, 12), ctx);
    expect(seen.map((w) => w.openTime)).toEqual([btc(0, 1).openTime, btc(2, 1).openTime]);
    expect(seen[1]!.bars['BTC/USDT']!.close).toBe(102);
    expect(seen[1]!.bars['ETH/USDT']!.close).toBe(12);
  });

  it('refuses an intent for an instrument outside the unit with a typed error', () => {
    const instance = pair.instantiate({ params: { outside: true }, instruments: ['BTC/USDT', 'ETH/USDT'] });
    instance.onBar(btc(0, 100), ctx);
    let err: unknown;
    try {
      instance.onBar(eth(0, 10), ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidIntentError);
    expect(err).toMatchObject({ code: 'INVALID_INTENT', issues: [{ path: 'instrument' }] });
    expect((err as Error).message).toContain('SOL/USDT is not traded by this instance (its unit: BTC/USDT, ETH/USDT)');
  });

  it('leaves a strategy without a unit as it was: no unit, one instrument is enough', () => {
    const single = defineStrategy({
      name: 'single',
      version: '1.0.0',
      params: z.strictObject({}),
      timeframes: ['1m'],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({ onBar: (bar) => [{ instrument: bar.symbol, side: 'BUY', qty: '1', style: 'market' }] }),
    });
    expect(single.unit).toBeUndefined();
    const instance = single.instantiate({ params: {}, instruments: ['BTC/USDT'] });
    expect(instance.onBar(btc(0, 1), ctx).map((d) => d.instrument)).toEqual(['BTC/USDT']);
  });
});
