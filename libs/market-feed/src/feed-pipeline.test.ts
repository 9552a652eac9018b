import { describe, expect, it } from 'vitest';
import { InstrumentSymbol, type Quote } from '@bourse/contracts';
import { FeedPipeline } from './feed-pipeline.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const STARTED_AT = 1_700_000_000_000;

const quoteAt = (receivedAt: number): Quote => ({
  v: 1,
  venue: 'binance',
  instrument: BTC,
  bidPrice: '49990',
  bidQty: '1',
  askPrice: '50010',
  askQty: '2',
  updateId: receivedAt,
  receivedAt,
});

const pipeline = () =>
  new FeedPipeline({
    venue: 'binance',
    instruments: [{ instrument: BTC, venueSymbol: 'BTCUSDT' }],
    staleAfterMs: 1_000,
    startedAt: STARTED_AT,
  });

describe('FeedPipeline', () => {
  it('moves the feed state at the data’s receive time, the one time a capture replay also has', () => {
    const p = pipeline();
    const received = STARTED_AT + 100;
    const steps = p.onEvent({ kind: 'quote', quote: quoteAt(received) });
    expect(steps[1]).toMatchObject({
      type: 'transition',
      transition: { status: { state: 'live', changedAt: received, lastMessageAt: received } },
    });
    expect(p.view(BTC)).toMatchObject({ state: 'live', changedAt: received, lastMessageAt: received });
  });

  it('counts silence from the last receive time', () => {
    const p = pipeline();
    p.onEvent({ kind: 'quote', quote: quoteAt(STARTED_AT + 100) });
    expect(p.check(STARTED_AT + 1_099)).toEqual([]);
    const steps = p.check(STARTED_AT + 1_100);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ type: 'transition', transition: { status: { state: 'stale' } } });
  });
});
