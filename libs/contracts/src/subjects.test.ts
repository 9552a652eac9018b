import { describe, it, expect } from 'vitest';
import {
  createSubjects,
  InvalidSubjectTokenError,
  subjects,
  subjectToken,
  tradingStateKey,
  type StreamNames,
} from './subjects.js';

describe('subjectToken', () => {
  it.each(['BTC.USDT', '*', '>', 'BTC USDT', ' BTCUSDT', 'BTC/USDT', ''])('rejects %j', (bad) => {
    expect(() => subjectToken('symbol', bad)).toThrow(InvalidSubjectTokenError);
  });

  it('accepts letters, digits, "_", "-" and ":"', () => {
    expect(subjectToken('symbol', 'BTCUSDT')).toBe('BTCUSDT');
    expect(subjectToken('strategyId', 'sma-cross_2:a')).toBe('sma-cross_2:a');
  });

  it('names the field and value in the error', () => {
    let caught: unknown;
    try {
      subjectToken('venue', 'bin.ance');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidSubjectTokenError);
    const error = caught as InvalidSubjectTokenError;
    expect(error.name).toBe('InvalidSubjectTokenError');
    expect(error.code).toBe('INVALID_SUBJECT_TOKEN');
    expect(error.field).toBe('venue');
    expect(error.value).toBe('bin.ance');
    expect(error.message).toContain('venue "bin.ance"');
  });
});

describe('createSubjects', () => {
  it('builds production subjects without a prefix', () => {
    expect(subjects.prefix).toBe('');
    expect(subjects.md.quote('binance', 'BTCUSDT')).toBe('md.binance.BTCUSDT.quote');
    expect(subjects.md.bookDelta('binance', 'BTCUSDT')).toBe('md.binance.BTCUSDT.bookdelta');
    expect(subjects.intent('sma-cross', 'BTCUSDT')).toBe('intent.sma-cross.BTCUSDT');
    expect(subjects.orderRequest('BTCUSDT')).toBe('order.request.BTCUSDT');
    expect(subjects.exec.fill('BTCUSDT')).toBe('exec.fill.BTCUSDT');
    expect(subjects.command('order-manager', 'cancel-all')).toBe('cmd.order-manager.cancel-all');
    expect(subjects.dlq('risk-gate')).toBe('dlq.risk-gate');
    expect(subjects.streams.EXEC).toBe('EXEC');
    expect(subjects.tradingStateBucket).toBe('trading_state');
  });

  it('puts every subject, stream and bucket of a namespace apart from another', () => {
    const a = createSubjects('t_aaaa');
    const b = createSubjects('t_bbbb');
    expect(a.md.trade('sim', 'ETHUSDT')).toBe('t_aaaa.md.sim.ETHUSDT.trade');
    expect(a.md.all()).toBe('t_aaaa.md.>');
    expect(a.md.all('sim')).toBe('t_aaaa.md.sim.>');
    expect(a.md.all('sim', 'ETHUSDT')).toBe('t_aaaa.md.sim.ETHUSDT.*');
    const names = Object.keys(a.streams) as (keyof StreamNames)[];
    for (const name of names) {
      expect(a.streams[name]).not.toBe(b.streams[name]);
      expect(a.streams[name]).not.toBe(subjects.streams[name]);
      // Stream names may not hold dots, spaces or wildcards.
      expect(a.streams[name]).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const subject of a.streamSubjects[name]) expect(subject.startsWith('t_aaaa.')).toBe(true);
    }
    expect(new Set(names.map((n) => a.streams[n])).size).toBe(names.length);
    expect(a.tradingStateBucket).not.toBe(b.tradingStateBucket);
    expect(a.exec.all()).not.toBe(b.exec.all());
  });

  it('gives each stream subjects no other stream captures', () => {
    const s = createSubjects('t_cccc');
    const all = Object.values(s.streamSubjects).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(s.streamSubjects.EXEC).toContain(s.exec.all());
    expect(s.streamSubjects.INTENTS).toContain(s.intentsAll());
  });

  it.each(['t.1', 't*', 't>', 't 1'])('rejects namespace %j', (bad) => {
    expect(() => createSubjects(bad)).toThrow(InvalidSubjectTokenError);
  });

  it('rejects a bad token in any argument', () => {
    const s = createSubjects('t_dddd');
    expect(() => s.md.quote('binance', 'BTC.USDT')).toThrow(InvalidSubjectTokenError);
    expect(() => s.intent('*', 'BTCUSDT')).toThrow(InvalidSubjectTokenError);
    expect(() => s.orderRequest('>')).toThrow(InvalidSubjectTokenError);
    expect(() => s.dlq('risk gate')).toThrow(InvalidSubjectTokenError);
    expect(() => s.command('oms', 'kill.all')).toThrow(InvalidSubjectTokenError);
  });
});

describe('tradingStateKey', () => {
  it('keys each scope apart', () => {
    expect(tradingStateKey({ kind: 'global' })).toBe('global');
    expect(tradingStateKey({ kind: 'instrument', symbol: 'BTCUSDT' })).toBe('instrument.BTCUSDT');
    expect(tradingStateKey({ kind: 'strategy', strategyId: 'sma-cross' })).toBe('strategy.sma-cross');
  });

  it('rejects a symbol that would add a key level', () => {
    expect(() => tradingStateKey({ kind: 'instrument', symbol: 'BTC.USDT' })).toThrow(InvalidSubjectTokenError);
  });
});
