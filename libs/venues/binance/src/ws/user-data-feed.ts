import { z } from 'zod';
import type { VenueId } from '@bourse/contracts';
import type { InstrumentRegistry } from '@bourse/domain';
import type { ConnectionState, Unsubscribe, UserDataEvent, UserDataFeed, VenueClock } from '@bourse/venues';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import { UserDataStreamEvent } from '../common/models.js';
import { parseUserDataEvent } from '../common/parse.js';
import type { BinanceWsApi } from './ws-api.js';

// User data through the WebSocket API: `userDataStream.subscribe.signature` on every fresh
// connection (first, after each reconnect, on rotation), so no event is lost to a forgotten
// re-subscribe. Events carry deterministic ids; a duplicate (replay, rotation overlap) is dropped
// here and would be dropped by the OMS anyway.

const SubscribeResult = z.object({ subscriptionId: z.number().int() });

/** Remembers the last `capacity` ids, forgetting the oldest. */
export class RecentIds {
  readonly #ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** True when the id is new (and records it). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
    return true;
  }
}

/** Parses, de-duplicates and fans out user-data events; shared by the WS-API and listenKey feeds. */
export class UserDataDispatcher {
  readonly #listeners = new Set<(e: UserDataEvent) => void>();
  readonly #seen = new RecentIds(20_000);
  readonly #log: VenueLogger;

  constructor(
    private readonly o: {
      registry: () => InstrumentRegistry;
      venue: VenueId;
      metrics?: BinanceMetrics;
      logger?: VenueLogger;
    },
  ) {
    this.#log = o.logger ?? silentLogger;
  }

  on(listener: (event: UserDataEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: UserDataEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // One faulty consumer must not starve the others.
        this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'user data listener threw');
      }
    }
  }

  /** Handles one raw event; returns 'ended' when the venue ended the subscription. */
  handle(raw: { e: string } & Record<string, unknown>, connection: string): 'ok' | 'ended' {
    const parsed = UserDataStreamEvent.safeParse(raw);
    if (!parsed.success) {
      this.o.metrics?.droppedFrames.inc({ venue: this.o.venue, connection, reason: 'malformed' });
      // Paths and messages only, never the values: an event may carry account figures.
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      this.#log.warn({ event: String(raw.e), issues }, 'dropped a malformed user data event');
      return 'ok';
    }
    const e = parsed.data;
    if (e.e === 'eventStreamTerminated' || e.e === 'listenKeyExpired') {
      this.#log.warn({ event: e.e }, 'user data subscription ended by the venue; subscribing again');
      return 'ended';
    }
    let event: UserDataEvent | undefined;
    try {
      event = parseUserDataEvent(e, this.o.registry(), this.o.venue);
    } catch (err) {
      this.o.metrics?.droppedFrames.inc({ venue: this.o.venue, connection, reason: 'unmappable' });
      this.#log.error(
        { event: e.e, err: err instanceof Error ? err.message : String(err) },
        'could not map a user data event',
      );
      return 'ok';
    }
    if (event === undefined) return 'ok';
    const id = event.kind === 'order' ? event.update.eventId : `${event.kind}:${JSON.stringify(event)}`;
    if (!this.#seen.add(id)) {
      this.o.metrics?.droppedFrames.inc({ venue: this.o.venue, connection, reason: 'duplicate' });
      return 'ok';
    }
    this.emit(event);
    return 'ok';
  }
}

export interface UserDataFeedOptions {
  /** Builds the WS-API connection; the feed passes the hooks it needs. */
  createWsApi: (hooks: {
    onConnection: ConstructorParameters<typeof BinanceWsApi>[0]['onConnection'];
    onEvent: ConstructorParameters<typeof BinanceWsApi>[0]['onEvent'];
    onState: ConstructorParameters<typeof BinanceWsApi>[0]['onState'];
  }) => BinanceWsApi;
  registry: () => InstrumentRegistry;
  clock: VenueClock;
  venue: VenueId;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
}

export class BinanceUserDataFeed implements UserDataFeed {
  readonly #api: BinanceWsApi;
  readonly #dispatch: UserDataDispatcher;

  constructor(o: UserDataFeedOptions) {
    this.#dispatch = new UserDataDispatcher(o);
    this.#api = o.createWsApi({
      onConnection: async (api, socket) => {
        await api.requestOn(socket, {
          method: 'userDataStream.subscribe.signature',
          signed: true,
          weight: 2,
          mutating: false,
          schema: SubscribeResult,
        });
      },
      onEvent: (event) => {
        // The venue ended the subscription: a fresh connection subscribes again.
        if (this.#dispatch.handle(event, 'user-data') === 'ended') this.#api.recycle(event.e);
      },
      onState: (state, reason) => this.#dispatch.emit({ kind: 'connection', state, reason, time: o.clock.now() }),
    });
  }

  get state(): ConnectionState {
    return this.#api.state;
  }

  start(): Promise<void> {
    return this.#api.start();
  }

  on(listener: (event: UserDataEvent) => void): Unsubscribe {
    return this.#dispatch.on(listener);
  }

  close(): Promise<void> {
    return this.#api.close();
  }
}
