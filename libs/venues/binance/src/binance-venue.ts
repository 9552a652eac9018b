import type { InstrumentSymbol, VenueId } from '@bourse/contracts';
import { InstrumentRegistry, type InstrumentSpec } from '@bourse/domain';
import {
  VenueError,
  VenueErrorCode,
  asLocalVenueError,
  type Balance,
  type CancelOrderOutcome,
  type CancelOrderRequest,
  type ConnectionState,
  type MarketDataFeed,
  type OrderPath,
  type PlaceOrderOutcome,
  type PlaceOrderRequest,
  type QueryOrderRequest,
  type TradesQuery,
  type UserDataFeed,
  type VenueClient,
  type VenueClock,
  type VenueOrder,
  type VenueTrade,
} from '@bourse/venues';
import {
  endpointsFor,
  parseBinanceOptions,
  type BinanceEndpoints,
  type BinanceOptions,
  type BinanceOptionsInput,
} from './common/config.js';
import type { CredentialsProvider } from './common/credentials.js';
import { silentLogger, type VenueLogger } from './common/logger.js';
import { createBinanceMetrics, type BinanceMetrics } from './common/metrics.js';
import { CanceledOrder, OrderResponse, QueriedOrder } from './common/models.js';
import {
  parseAccountTrade,
  parseBalances,
  parseCanceledOrder,
  parseExchangeInfoInstruments,
  parseOrderResponse,
  parseQueriedOrder,
  venueSymbol,
} from './common/parse.js';
import { InMemoryRateBudget, type RateBudgetBackend } from './common/rate-budget.js';
import { BinanceRateLimiter } from './common/rate-limiter.js';
import { ServerClock } from './common/server-clock.js';
import { BinanceRestClient } from './http/rest-client.js';
import { BinanceSpotRest } from './http/spot-api.js';
import { BinanceOrderLists } from './order-lists.js';
import { toNewOrderParams } from './order-params.js';
import { BinanceMarketDataFeed } from './ws/market-data-feed.js';
import { ListenKeyUserDataFeed } from './ws/listen-key-feed.js';
import { BinanceUserDataFeed } from './ws/user-data-feed.js';
import { BinanceWsApi } from './ws/ws-api.js';

// The Binance Spot adapter behind the VenueClient port. Orders go over the WebSocket API when it
// is up and over REST otherwise. A placement whose outcome is unknown (timeout, lost connection,
// 5xx after sending) is resolved by querying its client order id — never by sending it again.

export interface BinanceVenueDeps {
  options: BinanceOptionsInput;
  /** Undefined: market data only. A read-only key serves market data, queries and user data. */
  credentials?: CredentialsProvider;
  clock?: VenueClock;
  /** Where the rate budget lives; default in-process. Pass a RedisRateBudget to share it across replicas. */
  rateBudget?: RateBudgetBackend;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

const systemClock: VenueClock = { now: () => Date.now() };

export class BinanceVenueClient implements VenueClient {
  readonly venue: VenueId;
  readonly options: BinanceOptions;
  readonly endpoints: BinanceEndpoints;
  readonly metrics: BinanceMetrics;
  readonly limiter: BinanceRateLimiter;
  readonly serverClock: ServerClock;
  readonly rest: BinanceSpotRest;
  /** OCO / OTO / OTOCO lists: place (WS-API, else REST; unknown outcomes resolved by query), cancel, query, open. */
  readonly orderLists: BinanceOrderLists;
  readonly #deps: BinanceVenueDeps;
  readonly #clock: VenueClock;
  readonly #log: VenueLogger;
  readonly #sleep: (ms: number) => Promise<void>;
  #registry: InstrumentRegistry;
  #orderApi: BinanceWsApi | undefined;
  #timeSync: NodeJS.Timeout | undefined;
  readonly #closeables: { close(): Promise<void> }[] = [];

  private constructor(deps: BinanceVenueDeps) {
    this.#deps = deps;
    this.options = parseBinanceOptions(deps.options);
    this.venue = this.options.venueId;
    this.endpoints = endpointsFor(this.options.target);
    this.#clock = deps.clock ?? systemClock;
    this.#log = deps.logger ?? silentLogger;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.metrics = deps.metrics ?? createBinanceMetrics();
    this.#registry = new InstrumentRegistry(this.venue);
    this.limiter = new BinanceRateLimiter({
      backend: deps.rateBudget ?? new InMemoryRateBudget(this.#clock),
      clock: this.#clock,
      maxWaitMs: this.options.maxRateLimitWaitMs,
      sleep: this.#sleep,
      onWait: (reason) => this.metrics.rateLimitWaits.inc({ venue: this.venue, reason }),
      onUsage: (bucket, used, capacity) =>
        this.metrics.rateLimitUsed.set({ venue: this.venue, bucket }, capacity > 0 ? used / capacity : 0),
    });
    this.serverClock = new ServerClock(this.#clock, () => this.rest.serverTime());
    this.rest = new BinanceSpotRest(
      new BinanceRestClient({
        restUrl: this.endpoints.restUrl,
        credentials: deps.credentials,
        limiter: this.limiter,
        serverClock: this.serverClock,
        clock: this.#clock,
        recvWindowMs: this.options.recvWindowMs,
        requestTimeoutMs: this.options.requestTimeoutMs,
        maxRetries: this.options.maxRetries,
        retryBaseMs: this.options.retryBaseMs,
        retryMaxMs: this.options.retryMaxMs,
        venue: this.venue,
        metrics: this.metrics,
        logger: this.#log,
        sleep: this.#sleep,
      }),
    );
    this.orderLists = new BinanceOrderLists({
      rest: this.rest,
      orderApi: () => this.#orderApi,
      requireTradingKey: (operation) => this.#requireTradingKey(operation),
      sleep: this.#sleep,
      unknownQueryAttempts: this.options.unknownQueryAttempts,
      unknownQueryDelayMs: this.options.unknownQueryDelayMs,
      logger: this.#log,
    });
  }

  /**
   * Measures the clock offset, loads exchangeInfo (instruments and rate limits) and, for trading
   * keys with orderPath `ws-api`, opens the WebSocket API. Fails if the venue cannot be reached.
   */
  static async connect(deps: BinanceVenueDeps): Promise<BinanceVenueClient> {
    const client = new BinanceVenueClient(deps);
    try {
      await client.#syncClock();
      await client.fetchInstruments();
      client.#startTimeSync();
      const creds = deps.credentials?.current();
      if (client.options.orderPath === 'ws-api' && creds !== undefined && !creds.readOnly) {
        client.#orderApi = client.#createWsApi('ws-api', {});
        client.#closeables.push(client.#orderApi);
        await client.#awaitOrderApi(client.#orderApi);
      }
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  /** State of the WS-API order connection; undefined when orders go over REST only. */
  get orderConnectionState(): ConnectionState | undefined {
    return this.#orderApi?.state;
  }

  /** The instruments read from the last exchangeInfo. */
  get instruments(): InstrumentRegistry {
    return this.#registry;
  }

  async fetchInstruments(): Promise<InstrumentSpec[]> {
    const info = await this.rest.exchangeInfo();
    this.limiter.configure(info.rateLimits);
    const { specs, skipped } = parseExchangeInfoInstruments(info, this.venue);
    for (const s of skipped) this.#log.warn({ venueSymbol: s.venueSymbol, reason: s.reason }, 'instrument skipped');
    const registry = new InstrumentRegistry(this.venue, specs);
    this.#registry = registry;
    return specs;
  }

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderOutcome> {
    let via: OrderPath = this.#orderApi !== undefined && this.#orderApi.state === 'open' ? 'ws-api' : 'rest';
    try {
      let params: ReturnType<typeof toNewOrderParams>;
      try {
        this.#requireTradingKey('placeOrder');
        params = toNewOrderParams(request, venueSymbol(this.#registry, request.symbol));
      } catch (err) {
        // Refused before anything was sent: ours (configuration, an instrument not in exchangeInfo).
        throw err instanceof VenueError ? asLocalVenueError(err) : err;
      }
      if (via === 'ws-api' && this.#orderApi !== undefined) {
        try {
          const r = await this.#orderApi.request({
            method: 'order.place',
            params: { ...params, newOrderRespType: 'RESULT' },
            signed: true,
            weight: 1,
            orders: 1,
            mutating: true,
            ...(request.notAfter !== undefined ? { notAfter: request.notAfter } : {}),
            schema: OrderResponse,
          });
          return { outcome: 'accepted', order: parseOrderResponse(r, this.#registry), via, resolvedByQuery: false };
        } catch (err) {
          // Never sent: safe to take the REST path with the same client order id.
          if (!(err instanceof VenueError) || err.code !== VenueErrorCode.NOT_CONNECTED) throw err;
          this.#log.info({ clientOrderId: request.clientOrderId }, 'WS-API down; placing over REST');
          via = 'rest';
        }
      }
      const r = await this.rest.newOrder(params, request.notAfter);
      return { outcome: 'accepted', order: parseOrderResponse(r, this.#registry), via, resolvedByQuery: false };
    } catch (err) {
      if (!(err instanceof VenueError)) throw err;
      if (err.kind === 'unknown-outcome') return this.#resolveUnknownPlacement(request, err, via);
      return { outcome: 'rejected', error: err, via };
    }
  }

  async #resolveUnknownPlacement(
    request: PlaceOrderRequest,
    error: VenueError,
    via: OrderPath,
  ): Promise<PlaceOrderOutcome> {
    this.#log.warn(
      { clientOrderId: request.clientOrderId, code: error.code, via },
      'order outcome unknown; querying by client order id',
    );
    let lastQuery: 'not-found' | 'query-failed' = 'query-failed';
    for (let attempt = 0; attempt < this.options.unknownQueryAttempts; attempt++) {
      // Give an order in flight time to land before asking.
      await this.#sleep(this.options.unknownQueryDelayMs * (attempt + 1));
      try {
        const order = await this.queryOrder({ symbol: request.symbol, clientOrderId: request.clientOrderId });
        if (order !== undefined) {
          this.metrics.unknownOrders.inc({ venue: this.venue, resolution: 'found' });
          return { outcome: 'accepted', order, via, resolvedByQuery: true };
        }
        lastQuery = 'not-found';
      } catch (err) {
        lastQuery = 'query-failed';
        this.#log.warn(
          { clientOrderId: request.clientOrderId, err: err instanceof Error ? err.message : String(err) },
          'order query failed',
        );
      }
    }
    this.metrics.unknownOrders.inc({ venue: this.venue, resolution: lastQuery });
    return { outcome: 'unknown', clientOrderId: request.clientOrderId, query: lastQuery, error, via };
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderOutcome> {
    let via: OrderPath = this.#orderApi !== undefined && this.#orderApi.state === 'open' ? 'ws-api' : 'rest';
    try {
      this.#requireTradingKey('cancelOrder');
      const symbol = venueSymbol(this.#registry, request.symbol);
      if (via === 'ws-api' && this.#orderApi !== undefined) {
        try {
          const r = await this.#orderApi.request({
            method: 'order.cancel',
            params: { symbol, origClientOrderId: request.clientOrderId, newClientOrderId: request.cancelClientOrderId },
            signed: true,
            weight: 1,
            mutating: true,
            schema: CanceledOrder,
          });
          return { outcome: 'canceled', order: parseCanceledOrder(r, this.#registry, this.#clock.now()), via };
        } catch (err) {
          if (!(err instanceof VenueError) || err.code !== VenueErrorCode.NOT_CONNECTED) throw err;
          via = 'rest';
        }
      }
      const r = await this.rest.cancelOrder(symbol, request.clientOrderId, request.cancelClientOrderId);
      return { outcome: 'canceled', order: parseCanceledOrder(r, this.#registry, this.#clock.now()), via };
    } catch (err) {
      if (!(err instanceof VenueError)) throw err;
      if (err.kind !== 'unknown-outcome') return { outcome: 'rejected', error: err, via };
      // Whether the cancel landed shows in the order's status.
      try {
        const order = await this.queryOrder({ symbol: request.symbol, clientOrderId: request.clientOrderId });
        if (order?.status === 'canceled') return { outcome: 'canceled', order, via };
      } catch (queryErr) {
        this.#log.warn(
          {
            clientOrderId: request.clientOrderId,
            err: queryErr instanceof Error ? queryErr.message : String(queryErr),
          },
          'query after an unknown cancel failed',
        );
      }
      return { outcome: 'unknown', clientOrderId: request.clientOrderId, error: err, via };
    }
  }

  /** Over the WS-API (`order.status`) when it is open, REST otherwise or when the WS request fails retryably. */
  async queryOrder(request: QueryOrderRequest): Promise<VenueOrder | undefined> {
    const symbol = venueSymbol(this.#registry, request.symbol);
    try {
      if (this.#orderApi !== undefined && this.#orderApi.state === 'open') {
        try {
          const r = await this.#orderApi.request({
            method: 'order.status',
            params: { symbol, origClientOrderId: request.clientOrderId },
            signed: true,
            weight: 4,
            mutating: false,
            schema: QueriedOrder,
          });
          return parseQueriedOrder(r, this.#registry);
        } catch (err) {
          if (!(err instanceof VenueError) || err.kind !== 'retryable') throw err;
          this.#log.info(
            { clientOrderId: request.clientOrderId, code: err.code },
            'order.status failed; asking over REST',
          );
        }
      }
      return parseQueriedOrder(await this.rest.queryOrder(symbol, request.clientOrderId), this.#registry);
    } catch (err) {
      if (err instanceof VenueError && err.code === VenueErrorCode.UNKNOWN_ORDER) return undefined;
      throw err;
    }
  }

  async openOrders(symbol?: InstrumentSymbol): Promise<VenueOrder[]> {
    const orders = await this.rest.openOrders(symbol === undefined ? undefined : venueSymbol(this.#registry, symbol));
    return orders.map((o) => parseQueriedOrder(o, this.#registry));
  }

  async trades(query: TradesQuery): Promise<VenueTrade[]> {
    const trades = await this.rest.myTrades({
      symbol: venueSymbol(this.#registry, query.symbol),
      ...(query.orderId !== undefined ? { orderId: query.orderId } : {}),
      ...(query.fromId !== undefined ? { fromId: query.fromId } : {}),
      ...(query.startTime !== undefined ? { startTime: query.startTime } : {}),
      ...(query.endTime !== undefined ? { endTime: query.endTime } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
    });
    return trades.map((t) => parseAccountTrade(t, this.#registry));
  }

  async balances(): Promise<Balance[]> {
    return parseBalances(await this.rest.account());
  }

  marketData(): MarketDataFeed {
    const feed = new BinanceMarketDataFeed({
      wsStreamUrl: this.endpoints.wsStreamUrl,
      registry: () => this.#registry,
      fetchDepth: (symbol, limit) => this.rest.depth(symbol, limit),
      fetchKlines: (symbol, interval, limit) => this.rest.klines(symbol, interval, limit),
      clock: this.#clock,
      venue: this.venue,
      depthSnapshotLimit: this.options.depthSnapshotLimit,
      bookLevels: this.options.bookLevels,
      reconnectBaseMs: this.options.reconnectBaseMs,
      reconnectMaxMs: this.options.reconnectMaxMs,
      rotateMs: this.options.streamRotateMs,
      staleMs: this.options.staleConnectionMs,
      metrics: this.metrics,
      logger: this.#log,
    });
    this.#closeables.push(feed);
    return feed;
  }

  userData(): UserDataFeed {
    if (this.#deps.credentials === undefined) {
      throw new VenueError('fatal', VenueErrorCode.AUTH, 'user data needs an API key and none is configured');
    }
    if (this.options.userDataMode === 'listen-key') {
      const legacy = new ListenKeyUserDataFeed({
        rest: this.rest,
        wsStreamUrl: this.endpoints.wsStreamUrl,
        registry: () => this.#registry,
        clock: this.#clock,
        venue: this.venue,
        keepAliveMs: this.options.listenKeyKeepAliveMs,
        reconnectBaseMs: this.options.reconnectBaseMs,
        reconnectMaxMs: this.options.reconnectMaxMs,
        rotateMs: this.options.streamRotateMs,
        staleMs: this.options.staleConnectionMs,
        metrics: this.metrics,
        logger: this.#log,
      });
      this.#closeables.push(legacy);
      return legacy;
    }
    const feed = new BinanceUserDataFeed({
      createWsApi: (hooks) => this.#createWsApi('user-data', hooks),
      registry: () => this.#registry,
      clock: this.#clock,
      venue: this.venue,
      metrics: this.metrics,
      logger: this.#log,
    });
    this.#closeables.push(feed);
    return feed;
  }

  async close(): Promise<void> {
    clearInterval(this.#timeSync);
    const results = await Promise.allSettled(this.#closeables.map((c) => c.close()));
    for (const r of results) {
      if (r.status === 'rejected')
        this.#log.warn({ err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'close failed');
    }
  }

  #createWsApi(
    name: string,
    hooks: Pick<ConstructorParameters<typeof BinanceWsApi>[0], 'onConnection' | 'onEvent' | 'onState'>,
  ): BinanceWsApi {
    return new BinanceWsApi({
      name,
      url: this.endpoints.wsApiUrl,
      credentials: this.#deps.credentials,
      limiter: this.limiter,
      serverClock: this.serverClock,
      clock: this.#clock,
      recvWindowMs: this.options.recvWindowMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      reconnectBaseMs: this.options.reconnectBaseMs,
      reconnectMaxMs: this.options.reconnectMaxMs,
      rotateMs: this.options.streamRotateMs,
      staleMs: this.options.staleConnectionMs,
      venue: this.venue,
      metrics: this.metrics,
      logger: this.#log,
      // Only the simulator is known to accept the trace context as a field of a WS-API request.
      traceField: this.options.target.name === 'sim',
      ...hooks,
    });
  }

  /** Waits a little for the WS-API; orders go over REST until it is up, so a slow start is not fatal. */
  async #awaitOrderApi(api: BinanceWsApi): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const started = api.start().then(
      () => 'open' as const,
      (err: unknown) => {
        this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'WS-API did not start');
        return 'failed' as const;
      },
    );
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.requestTimeoutMs * 2);
    });
    const result = await Promise.race([started, timeout]);
    clearTimeout(timer);
    if (result !== 'open') this.#log.warn({ result }, 'WS-API not open yet; orders use REST until it is');
  }

  #requireTradingKey(operation: string): void {
    const creds = this.#deps.credentials?.current();
    if (creds === undefined)
      throw new VenueError('fatal', VenueErrorCode.AUTH, `${operation} needs an API key and none is configured`);
    if (creds.readOnly)
      throw new VenueError(
        'fatal',
        VenueErrorCode.AUTH,
        `${operation} needs a trading key; the configured key is read-only`,
      );
  }

  async #syncClock(): Promise<void> {
    const offset = await this.serverClock.sync();
    this.metrics.clockOffset.set({ venue: this.venue }, offset);
  }

  #startTimeSync(): void {
    if (this.options.timeSyncIntervalMs <= 0) return;
    this.#timeSync = setInterval(() => {
      this.#syncClock().catch((err: unknown) => {
        this.#log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'server time sync failed; keeping the last offset',
        );
      });
    }, this.options.timeSyncIntervalMs);
    this.#timeSync.unref();
  }
}
