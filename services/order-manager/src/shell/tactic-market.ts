// What the chases see of the market: the last quote of each instrument a chase trades (core NATS
// md.<venue>.<symbol>.quote, subscribed when the first chase of the symbol starts) and the far side
// of the book for the market fallback's guards (the gateway's snapshot, read at most once a tick).

import type { Bus, BusSubscription } from '@bourse/bus';
import { Quote, type BookLevel, type OrderRequest } from '@bourse/contracts';
import type { Clock } from '@bourse/execution';
import type { Logger } from '@bourse/telemetry';
import type { BookDepthSource } from './book-depth.js';
import type { OrderManagerMetrics } from './metrics.js';

const QuoteContract = { name: 'Quote', schema: Quote };

export interface TacticMarketOptions {
  readonly bus: Bus;
  readonly venue: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: OrderManagerMetrics;
  /** How long a far-side read is reused: the chases' tick. */
  readonly tickMs: number;
  /** The far side of the book; without it the fallback's guards see the touch size only. */
  readonly depth?: BookDepthSource;
}

export class TacticMarket {
  private readonly quotes = new Map<string, Quote>();
  /** Far-side levels per venue symbol and side, read at most once a tick. */
  private readonly depths = new Map<
    string,
    { readonly levels: readonly BookLevel[] | undefined; readonly at: number; readonly problem: string | undefined }
  >();
  private readonly subscriptions = new Map<string, BusSubscription>();

  constructor(private readonly o: TacticMarketOptions) {}

  /** The last quote of the symbol, once one came. */
  quote(venueSymbol: string): Quote | undefined {
    return this.quotes.get(venueSymbol);
  }

  /** Subscribes to the symbol's quotes (once); `onQuote` runs after each is stored. */
  watchQuotes(venueSymbol: string, onQuote: (venueSymbol: string) => void): void {
    if (this.subscriptions.has(venueSymbol)) return;
    const subject = this.o.bus.subjects.md.quote(this.o.venue, venueSymbol);
    this.subscriptions.set(
      venueSymbol,
      this.o.bus.subscribe(subject, QuoteContract, (quote) => {
        this.quotes.set(venueSymbol, quote);
        onQuote(venueSymbol);
      }),
    );
  }

  // The book moves with every quote, but a read per quote per chase would load Redis for nothing:
  // once a tick per symbol and side is as fresh as the ticks that decide on it.
  async farSideFor(parent: OrderRequest): Promise<readonly BookLevel[] | undefined> {
    const source = this.o.depth;
    if (source === undefined) return undefined;
    const key = `${parent.venueSymbol}:${parent.side}`;
    const now = this.o.clock.now();
    const cached = this.depths.get(key);
    if (cached !== undefined && now - cached.at < this.o.tickMs) return cached.levels;
    const read = await source.farSide(this.o.venue, parent.venueSymbol, parent.side, now);
    if (read.problem !== undefined) {
      this.o.metrics.badInput.inc({ kind: 'book-depth' });
      // Counted every time, logged when it changes: a Redis outage would otherwise log every tick.
      if (read.problem !== cached?.problem)
        this.o.logger.warn({ problem: read.problem }, 'book depth not usable; the fallback guards see the touch only');
    }
    this.depths.set(key, { levels: read.levels, at: now, problem: read.problem });
    return read.levels;
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions.values()) await sub.unsubscribe();
    this.subscriptions.clear();
  }
}
