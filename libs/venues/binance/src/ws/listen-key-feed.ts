import type { VenueId } from '@bourse/contracts';
import type { InstrumentRegistry } from '@bourse/domain';
import type { ConnectionState, Unsubscribe, UserDataEvent, UserDataFeed, VenueClock } from '@bourse/venues';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import type { BinanceSpotRest } from '../http/spot-api.js';
import { ManagedSocket } from './managed-socket.js';
import { UserDataDispatcher } from './user-data-feed.js';

// The older user-data stream: a listenKey from REST, a stream connection at `/ws/<listenKey>`,
// a keep-alive every 30 minutes, a new key when the venue says it expired. Only for venues that
// lack userDataStream.subscribe.signature; Binance Spot itself has deprecated it.

export interface ListenKeyFeedOptions {
  rest: BinanceSpotRest;
  wsStreamUrl: string;
  registry: () => InstrumentRegistry;
  clock: VenueClock;
  venue: VenueId;
  keepAliveMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  rotateMs: number;
  staleMs: number;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
}

export class ListenKeyUserDataFeed implements UserDataFeed {
  readonly #dispatch: UserDataDispatcher;
  readonly #socket: ManagedSocket;
  readonly #log: VenueLogger;
  #listenKey: string | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(private readonly o: ListenKeyFeedOptions) {
    this.#log = o.logger ?? silentLogger;
    this.#dispatch = new UserDataDispatcher(o);
    const base = o.wsStreamUrl.replace(/\/+$/, '').replace(/\/(ws|stream)$/, '');
    this.#socket = new ManagedSocket({
      name: 'user-data',
      url: () => `${base}/ws/${this.#listenKey ?? ''}`,
      clock: o.clock,
      reconnectBaseMs: o.reconnectBaseMs,
      reconnectMaxMs: o.reconnectMaxMs,
      rotateMs: o.rotateMs,
      staleMs: o.staleMs,
      pingIntervalMs: Math.floor(o.staleMs / 3),
      venue: o.venue,
      ...(o.metrics !== undefined ? { metrics: o.metrics } : {}),
      ...(o.logger !== undefined ? { logger: o.logger } : {}),
      onOpen: async () => {},
      onMessage: (text) => this.#onMessage(text),
      onState: (state, reason) => this.#dispatch.emit({ kind: 'connection', state, reason, time: o.clock.now() }),
    });
  }

  get state(): ConnectionState {
    return this.#socket.state;
  }

  async start(): Promise<void> {
    this.#listenKey = await this.o.rest.createListenKey();
    this.#keepAlive = setInterval(() => {
      const key = this.#listenKey;
      if (key === undefined) return;
      this.o.rest.keepAliveListenKey(key).catch((err: unknown) => {
        this.#log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'listenKey keep-alive failed; renewing',
        );
        void this.#renew();
      });
    }, this.o.keepAliveMs);
    this.#keepAlive.unref();
    await this.#socket.start();
  }

  on(listener: (event: UserDataEvent) => void): Unsubscribe {
    return this.#dispatch.on(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.#keepAlive);
    await this.#socket.close();
    const key = this.#listenKey;
    this.#listenKey = undefined;
    if (key !== undefined) {
      await this.o.rest.closeListenKey(key).catch((err: unknown) => {
        this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not close the listenKey');
      });
    }
  }

  #onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.o.metrics?.droppedFrames.inc({ venue: this.o.venue, connection: 'user-data', reason: 'not-json' });
      return;
    }
    if (typeof json !== 'object' || json === null || typeof (json as { e?: unknown }).e !== 'string') {
      this.o.metrics?.droppedFrames.inc({ venue: this.o.venue, connection: 'user-data', reason: 'unexpected-frame' });
      return;
    }
    if (this.#dispatch.handle(json as { e: string } & Record<string, unknown>, 'user-data') === 'ended')
      void this.#renew();
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      this.#listenKey = await this.o.rest.createListenKey();
      this.#socket.recycle('listenKey renewed');
    } catch (err) {
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not renew the listenKey');
    } finally {
      this.#renewing = false;
    }
  }
}
