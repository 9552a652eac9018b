import { describe, it, expect } from 'vitest';
import {
  AssetCode,
  ClientOrderId,
  DecimalString,
  EventId,
  InstrumentSymbol,
  IntentId,
  NonNegativeDecimalString,
  PositiveDecimalString,
  StrategyId,
  VenueSymbol,
} from './primitives.js';

describe('decimal strings', () => {
  it.each(['0', '1', '-1', '123.45', '0.00000001', '-0.5'])('DecimalString accepts %j', (good) => {
    expect(DecimalString.safeParse(good).success).toBe(true);
  });

  it.each(['', '1e5', '01', '.5', '5.', '+1', '1,5', 'NaN', ' 1'])('DecimalString rejects %j', (bad) => {
    expect(DecimalString.safeParse(bad).success).toBe(false);
  });

  it('rejects a JS number, even a whole one', () => {
    expect(DecimalString.safeParse(1).success).toBe(false);
    expect(DecimalString.safeParse(0.1).success).toBe(false);
  });

  it('PositiveDecimalString refuses zero and negatives', () => {
    expect(PositiveDecimalString.safeParse('0.0001').success).toBe(true);
    expect(PositiveDecimalString.safeParse('0.000').success).toBe(false);
    expect(PositiveDecimalString.safeParse('-1').success).toBe(false);
  });

  it('NonNegativeDecimalString allows zero, refuses negatives', () => {
    expect(NonNegativeDecimalString.safeParse('0').success).toBe(true);
    expect(NonNegativeDecimalString.safeParse('-0.1').success).toBe(false);
  });
});

describe('ids and symbols', () => {
  it('ClientOrderId follows Binance newClientOrderId characters and length', () => {
    expect(ClientOrderId.safeParse('bourse-sma-1:abc/2.x_y').success).toBe(true);
    expect(ClientOrderId.safeParse('a'.repeat(37)).success).toBe(false);
    expect(ClientOrderId.safeParse('has space').success).toBe(false);
  });

  it('StrategyId is lower-case', () => {
    expect(StrategyId.safeParse('sma-cross').success).toBe(true);
    expect(StrategyId.safeParse('SMA').success).toBe(false);
  });

  it('InstrumentSymbol is BASE/QUOTE, VenueSymbol is the joined venue spelling', () => {
    expect(InstrumentSymbol.safeParse('BTC/USDT').success).toBe(true);
    expect(InstrumentSymbol.safeParse('BTCUSDT').success).toBe(false);
    expect(VenueSymbol.safeParse('BTCUSDT').success).toBe(true);
    expect(VenueSymbol.safeParse('BTC/USDT').success).toBe(false);
    expect(VenueSymbol.safeParse('BTC.USDT').success).toBe(false);
  });

  it('IntentId, EventId and AssetCode reject spaces and empties', () => {
    expect(IntentId.safeParse('i-1').success).toBe(true);
    expect(IntentId.safeParse('').success).toBe(false);
    expect(EventId.safeParse('binance:fill:123').success).toBe(true);
    expect(EventId.safeParse('a b').success).toBe(false);
    expect(AssetCode.safeParse('USDT').success).toBe(true);
    expect(AssetCode.safeParse('usdt').success).toBe(false);
  });
});
