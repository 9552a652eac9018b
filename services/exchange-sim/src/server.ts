// startExchangeSim: wires the venue, the HTTP/WebSocket shells, faults, market activity and
// persistence into one running sim on one port.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MatchingEngine, OrderSide, PlaceOrderResult, Balance } from '@bourse/matching';
import { MarketActivity, MARKET_MAKER_ACCOUNT, TAKER_ACCOUNT } from './activity/market-activity.js';
import { randomWalk, replayProcess } from './activity/price-process.js';
import { createAdminHandler } from './admin.js';
import type { SimContext } from './api/endpoint.js';
import { ListenKeys } from './api/listen-keys.js';
import { ApiKeyRegistry } from './auth.js';
import { DEFAULT_SYMBOLS, symbolSpec } from './exchange-info.js';
import { KlineHistory } from './klines.js';
import { SimMetrics, withOps } from './ops.js';
import { FaultState, toFaultSpec, type FaultSpec, type FaultSpecInput } from './faults.js';
import {
  describeStaleState,
  loadState,
  processAlive,
  readRunMarker,
  removeRunMarker,
  saveState,
  writeRunMarker,
  type StateReport,
} from './persistence.js';
import { seededRandom } from './random.js';
import { pruneHistory, PRUNE_INTERVAL_MS } from './retention.js';
import { RateLimiter } from './rate-limits.js';
import { createRestHandler } from './rest/http-handler.js';
import {
  DEFAULT_BALANCES,
  DEFAULT_MARKET_ACTIVITY,
  DEFAULT_RATE_LIMITS,
  systemClock,
  type BalanceMap,
  type Clock,
  type ExchangeSimOptions,
  type MarketActivityConfig,
} from './types.js';
import { SimVenue } from './venue.js';
import { MarketHub } from './ws/market-hub.js';
import { UserDataHub } from './ws/user-data-hub.js';
import { WsServer } from './ws/ws-server.js';

/** Balances of the simulated participants: deep enough never to run dry. */
const PARTICIPANT_BALANCES: BalanceMap = {
  USDT: '1000000000',
  BTC: '100000',
  ETH: '1000000',
  SOL: '10000000',
  BNB: '1000000',
};

export interface LiquidityOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: string;
  readonly quantity: string;
  /** Defaults to the sim's market-maker account. */
  readonly account?: string;
}

export interface MarketTrade {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  /** Defaults to the sim's taker account. */
  readonly account?: string;
}

export interface RunningExchangeSim {
  readonly port: number;
  /** `http://127.0.0.1:PORT` — Binance's `https://api.binance.com`. */
  readonly restUrl: string;
  /** `ws://127.0.0.1:PORT` — append `/ws/<stream>` or `/stream?streams=...`. */
  readonly wsStreamUrl: string;
  /** `ws://127.0.0.1:PORT/ws-api/v3`. */
  readonly wsApiUrl: string;
  /** `http://127.0.0.1:PORT/admin`. */
  readonly adminUrl: string;
  /** The matching engine itself, for assertions. Mutate it through the helpers so streams see the change. */
  readonly engine: MatchingEngine;
  readonly marketMakerAccount: string;
  readonly takerAccount: string;
  faults(): FaultSpec;
  setFaults(spec: FaultSpecInput | string): FaultSpec;
  /** Rests a LIMIT GTC order (market-maker account by default). */
  placeLiquidity(order: LiquidityOrder): PlaceOrderResult;
  /** Sends a MARKET order (taker account by default). */
  trade(order: MarketTrade): PlaceOrderResult;
  /** Cancels every open order of an account on a symbol (market maker by default). */
  cancelAll(symbol: string, account?: string): number;
  /** `notify: false`: no `balanceUpdate` on the user data streams (a change the client never hears of). */
  deposit(account: string, asset: string, amount: string, options?: { notify?: boolean }): void;
  balances(account: string): Balance[];
  /** Runs one step of the simulated market (works with activity off too). */
  stepMarket(): void;
  dropWsConnections(): number;
  expireUserData(): number;
  save(): Promise<{ savedTo: string; savedAt: number }>;
  /** What the start found on disk (undefined without a state file): the saved state's age, an unsaved previous run. */
  readonly stateReport: StateReport | undefined;
  close(): Promise<void>;
}

/** Default interval of saves while running, so a sim that is killed loses at most this much. */
export const DEFAULT_AUTOSAVE_MS = 60_000;

export class StateFileNotConfiguredError extends Error {
  override readonly name = 'StateFileNotConfiguredError';
  readonly code = 'STATE_FILE_NOT_CONFIGURED';
  readonly value = undefined;
  constructor() {
    super('no stateFile configured; start the sim with stateFile (--state-file) to save');
  }
}

function fundIfNew(engine: MatchingEngine, existing: ReadonlySet<string>, account: string, balances: BalanceMap): void {
  if (existing.has(account)) return;
  for (const [asset, amount] of Object.entries(balances)) engine.deposit(account, asset, amount);
}

export async function startExchangeSim(options: ExchangeSimOptions = {}): Promise<RunningExchangeSim> {
  const log = options.log ?? (() => undefined);
  const specs = (options.symbols ?? DEFAULT_SYMBOLS).map(symbolSpec);
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const baseClock: Clock = options.clock ?? systemClock;
  const activityConfig: MarketActivityConfig = { ...DEFAULT_MARKET_ACTIVITY, ...options.marketActivity };
  const rateLimitConfig = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };

  const faultTimers: { dropWs?: NodeJS.Timeout; expire?: NodeJS.Timeout } = {};
  let armTimers: (spec: FaultSpec) => void = () => undefined;
  const faults = new FaultState(
    toFaultSpec(options.faults),
    (spec) => armTimers(spec),
    () => baseClock.now(),
  );
  const clock: Clock = { now: () => baseClock.now() + faults.current.clockSkewMs };

  const marker = options.stateFile ? await readRunMarker(options.stateFile) : undefined;
  const restored = options.stateFile ? await loadState(options.stateFile) : undefined;
  const holderAlive = marker !== undefined && processAlive(marker.pid);
  const stateReport: StateReport | undefined = options.stateFile
    ? {
        stateFile: options.stateFile,
        restoredFrom: restored?.savedAt ?? null,
        previousRunUnsaved: marker !== undefined && !holderAlive ? marker : null,
        heldByLiveProcess: marker !== undefined && holderAlive ? marker.pid : null,
      }
    : undefined;
  if (stateReport) {
    log(
      stateReport.restoredFrom === null
        ? `state: starting empty (${stateReport.stateFile} does not exist yet)`
        : `state: restored from ${stateReport.stateFile}, saved at ${new Date(stateReport.restoredFrom).toISOString()}`,
    );
    for (const line of describeStaleState(stateReport)) log(line);
  }
  const venue = new SimVenue(specs, clock, restored?.venue, log);
  const keys = new ApiKeyRegistry(options.apiKeys ?? []);
  const existing = new Set(venue.engine.listAccounts());
  for (const account of keys.accounts())
    fundIfNew(venue.engine, existing, account, options.balances ?? DEFAULT_BALANCES);
  fundIfNew(venue.engine, existing, MARKET_MAKER_ACCOUNT, PARTICIPANT_BALANCES);
  fundIfNew(venue.engine, existing, TAKER_ACCOUNT, PARTICIPANT_BALANCES);

  const limiter = new RateLimiter(rateLimitConfig, clock);
  const listenKeys = new ListenKeys(clock, seed);
  const klines = new KlineHistory();
  venue.onMarket((e) => klines.onMarket(e));
  const sim: SimContext = {
    venue,
    clock,
    limiter,
    rateLimits: () => limiter.config,
    keys,
    listenKeys,
    faults,
    klines,
    log,
  };

  const priceProcess =
    activityConfig.process === 'replay'
      ? replayProcess(activityConfig.replayFile ?? '')
      : randomWalk(random, activityConfig.volatility, activityConfig.drift);
  const activity = new MarketActivity(venue, activityConfig, priceProcess, random, log);

  const metrics = new SimMetrics(options.processMetrics ?? false);
  const unwatchMetrics = metrics.watch(venue);
  faults.onInjected((fault, count) => metrics.faultInjected(fault, count));
  const hub = new MarketHub(venue, clock, options.depthIntervalsMs ?? { fast: 100, slow: 1000 });
  const userData = new UserDataHub(
    venue,
    () => {
      const hiding = faults.hidingUserFills();
      if (hiding) faults.noteInjected('hideUserFills');
      return hiding;
    },
    { faults, random },
  );

  let lastPrune = clock.now();
  const prune = (): void => {
    lastPrune = clock.now();
    const { orders, trades } = venue.run((e) => pruneHistory(e, lastPrune));
    if (orders + trades > 1000)
      log(`state: forgot ${orders} finished orders and ${trades} trade records no user can query`);
  };
  prune();
  const pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
  pruneTimer.unref();
  // Steps driven by hand (tests, the admin endpoint) may run far faster than the timer: prune by sim time too.
  const stepMarket = (): void => {
    activity.step();
    if (clock.now() - lastPrune >= PRUNE_INTERVAL_MS) prune();
  };

  const startedAt = clock.now();
  let running = true;
  // One save at a time: an autosave and a stop's save would otherwise race on the temporary file.
  let lastSave: Promise<unknown> = Promise.resolve();
  const save = (): Promise<{ savedTo: string; savedAt: number }> => {
    const stateFile = options.stateFile;
    if (!stateFile) return Promise.reject(new StateFileNotConfiguredError());
    const next = lastSave.then(async () => {
      const savedAt = clock.now();
      prune();
      await saveState(stateFile, { version: 1, savedAt, venue: venue.snapshot() });
      if (running) await writeRunMarker(stateFile, { pid: process.pid, startedAt, lastSavedAt: savedAt });
      return { savedTo: stateFile, savedAt };
    });
    lastSave = next.catch(() => undefined);
    return next;
  };
  if (options.stateFile) await writeRunMarker(options.stateFile, { pid: process.pid, startedAt, lastSavedAt: null });
  const autosaveMs = options.stateFile ? (options.autosaveMs ?? DEFAULT_AUTOSAVE_MS) : 0;
  const autosave =
    autosaveMs > 0
      ? setInterval(() => {
          save().catch((err: unknown) => log(`state: autosave failed: ${String(err)}`));
        }, autosaveMs)
      : undefined;
  autosave?.unref();

  // The WebSocket server needs the HTTP server, which needs the admin actions below.
  const wsRef: { current?: WsServer } = {};
  const dropWsConnections = (): number => {
    const dropped = wsRef.current?.dropAll() ?? 0;
    faults.noteInjected('dropWs', dropped);
    return dropped;
  };
  const expireUserData = (): number => {
    const now = clock.now();
    listenKeys.expireAll();
    const expired = userData.expireAll(now);
    faults.noteInjected('expireUserData', expired);
    return expired;
  };

  const admin = createAdminHandler({
    faults: () => faults.current,
    setFaults: (spec) => {
      faults.set(spec);
      return faults.current;
    },
    updateFaults: (partial) => faults.update(partial),
    dropWsConnections,
    expireUserData,
    save,
    deposit: (account, asset, amount, options) => venue.deposit(account, asset, amount, options),
    stepMarket,
    resetRateLimits: () => limiter.reset(),
    rateLimitUsage: () => limiter.usage(),
    status: () => ({
      symbols: specs.map((s) => s.symbol),
      wsConnections: wsRef.current?.connectionCount ?? 0,
      marketActivity: activityConfig.enabled,
      faults: faults.current,
      state: stateReport ?? null,
    }),
  });

  let stopping = false;
  const ready = (): { ok: boolean; reasons: string[] } =>
    stopping ? { ok: false, reasons: ['shutting down'] } : { ok: true, reasons: [] };
  const server = createServer(withOps(metrics, ready, createRestHandler(sim, admin)));
  server.keepAliveTimeout = 5_000;
  const ws = new WsServer(server, {
    sim,
    hub,
    userData,
    random,
    pingIntervalMs: options.pingIntervalMs ?? 20_000,
    log,
    countRequest: (method, status) => metrics.request('ws-api', method, status),
  });

  wsRef.current = ws;

  armTimers = (spec) => {
    if (faultTimers.dropWs) clearInterval(faultTimers.dropWs);
    if (faultTimers.expire) clearInterval(faultTimers.expire);
    delete faultTimers.dropWs;
    delete faultTimers.expire;
    if (spec.dropWsEveryMs > 0) {
      faultTimers.dropWs = setInterval(
        () => log(`fault: dropped ${dropWsConnections()} WebSocket connections`),
        spec.dropWsEveryMs,
      );
      faultTimers.dropWs.unref();
    }
    if (spec.expireUserDataEveryMs > 0) {
      faultTimers.expire = setInterval(
        () => log(`fault: expired ${expireUserData()} user data subscriptions`),
        spec.expireUserDataEveryMs,
      );
      faultTimers.expire.unref();
    }
  };
  armTimers(faults.current);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (activityConfig.enabled) {
    activity.step();
    activity.start();
  }

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const restUrl = `http://${host}:${address.port}`;
  const wsStreamUrl = `ws://${host}:${address.port}`;

  let closed = false;
  return {
    port: address.port,
    restUrl,
    wsStreamUrl,
    wsApiUrl: `${wsStreamUrl}/ws-api/v3`,
    adminUrl: `${restUrl}/admin`,
    engine: venue.engine,
    marketMakerAccount: MARKET_MAKER_ACCOUNT,
    takerAccount: TAKER_ACCOUNT,
    faults: () => faults.current,
    setFaults: (spec) => {
      faults.set(toFaultSpec(spec));
      return faults.current;
    },
    placeLiquidity: (o) =>
      venue.run((e) =>
        e.placeOrder({
          accountId: o.account ?? MARKET_MAKER_ACCOUNT,
          symbol: o.symbol,
          side: o.side,
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: o.price,
          quantity: o.quantity,
        }),
      ),
    trade: (o) =>
      venue.run((e) =>
        e.placeOrder({
          accountId: o.account ?? TAKER_ACCOUNT,
          symbol: o.symbol,
          side: o.side,
          type: 'MARKET',
          quantity: o.quantity,
        }),
      ),
    cancelAll: (symbol, account = MARKET_MAKER_ACCOUNT) =>
      venue.run((e) =>
        e.getOpenOrders(account, symbol).length === 0 ? 0 : e.cancelOpenOrders(account, symbol).length,
      ),
    deposit: (account, asset, amount, options) => venue.deposit(account, asset, amount, options),
    balances: (account) => venue.run((e) => e.getBalances(account)),
    stepMarket,
    dropWsConnections,
    expireUserData,
    save,
    stateReport,
    close: async () => {
      if (closed) return;
      closed = true;
      stopping = true;
      activity.stop();
      if (autosave) clearInterval(autosave);
      clearInterval(pruneTimer);
      if (faultTimers.dropWs) clearInterval(faultTimers.dropWs);
      if (faultTimers.expire) clearInterval(faultTimers.expire);
      if (options.stateFile) {
        running = false;
        await save();
        await removeRunMarker(options.stateFile);
      }
      hub.close();
      unwatchMetrics();
      userData.close();
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
