import type { Quote, Trade } from '@bourse/contracts';
import type { TickEvent } from '../run/spec.js';

// A capture (services/market-data readCapture: `{ receivedAt, event }` in the gateway's order) as the
// backtester's ticks. Typed by shape, so the engine does not depend on the market-data service.

/** The part of a captured event the backtester reads. */
export interface CapturedMarketEvent {
  readonly receivedAt: number;
  readonly event: { readonly kind: string; readonly message: unknown };
}

/**
 * The quotes and trades of `instrument` in a capture, timed by the gateway's receive time (what a
 * live runner would have seen when), in capture order. Books and feed statuses are skipped: the
 * engine trades at the top of book.
 */
export async function* captureTicks(
  events: AsyncIterable<CapturedMarketEvent>,
  instrument: string,
): AsyncGenerator<TickEvent> {
  let last = -Infinity;
  for await (const { receivedAt, event } of events) {
    if (event.kind !== 'quote' && event.kind !== 'trade') continue;
    const message = event.message as Quote | Trade;
    if (message.instrument !== instrument) continue;
    // Several frames can share a millisecond; the virtual clock never goes back.
    const time = Math.max(receivedAt, last);
    last = time;
    if (event.kind === 'quote') {
      const q = message as Quote;
      yield { kind: 'quote', time, bidPrice: q.bidPrice, askPrice: q.askPrice, bidQty: q.bidQty, askQty: q.askQty };
    } else {
      const t = message as Trade;
      yield { kind: 'trade', time, price: t.price, qty: t.qty, aggressor: t.aggressor, id: t.venueTradeId };
    }
  }
}
