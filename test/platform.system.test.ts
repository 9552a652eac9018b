// The paper-trading platform as real processes (issue #8's "done when"): the exchange simulator and
// every service started as `bourse start` starts them, operated with the `bourse` command. Trades
// happen; `bourse kill --cancel-all` halts and leaves no open order; `resume` lets trading go on;
// killing and restarting each service in turn loses and duplicates no order; fills the sim hides from
// the user stream for 30 s are recovered by the reconciler so positions match the sim's account
// exactly; a reported deposit is booked, drift beyond tolerance halts trading. Also: every metric
// the Grafana dashboards chart is served by some running service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { OrderRequest, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import { dashboardMetricNames } from './support/dashboard-metrics.js';
import { Platform, type ServiceName } from './support/platform.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const INSTRUMENT: Record<string, string> = { BTCUSDT: 'BTC/USDT', ETHUSDT: 'ETH/USDT' };

let platform: Platform;
let venue: BinanceVenueClient;
let bus: Bus;
let tradingStates: TypedKv<TradingState>;

/**
 * Polls `probe` every `pollMs` until it returns a value other than undefined (or false), or fails
 * naming `what`. A probe that reads the venue polls slower: the test's requests count against the
 * same IP weight as the platform's (myTrades for two symbols every 250 ms would be 9 600 a minute,
 * past the venue's 6 000, and the shared budget would then hold the platform's own requests back).
 */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  pollMs = 250,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const running = (['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const)
        .map((s) => `--- ${s} (${platform.isRunning(s) ? 'running' : 'stopped'})\n${platform.logs(s, 15)}`)
        .join('\n');
      const { rows: open } = await platform.db.pool.query<Record<string, unknown>>(
        "SELECT client_order_id, status, style, side, updated_at FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected', 'expired')",
      );
      throw new Error(
        `timed out waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}\n` +
          `open orders in the OMS table: ${JSON.stringify(open)}\n${running}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function fillCount(): Promise<number> {
  const { rows } = await platform.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM fills');
  return Number(rows[0]?.n ?? 0);
}

async function globalMode(): Promise<string | undefined> {
  const entry = await tradingStates.get(tradingStateKey({ kind: 'global' }));
  return entry?.value.mode;
}

/** The venue's own trades of our account, per symbol, keyed as the OMS keys fills. */
async function venueTradeIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const symbol of SYMBOLS) {
    for (const trade of await venue.trades({ symbol: INSTRUMENT[symbol] as never, limit: 1000 }))
      ids.push(trade.venueFillId);
  }
  return ids.sort();
}

async function storedFillIds(): Promise<string[]> {
  const { rows } = await platform.db.pool.query<{ id: string }>('SELECT venue_fill_id AS id FROM fills');
  return rows.map((r) => r.id).sort();
}

async function venueBalances(): Promise<Map<string, string>> {
  return new Map((await venue.balances()).map((b) => [b.asset, `${b.free}+${b.locked}`]));
}

async function storedBalances(): Promise<Map<string, string>> {
  const { rows } = await platform.db.pool.query<{ asset: string; free: string; locked: string }>(
    'SELECT asset, free::text, locked::text FROM balances',
  );
  return new Map(rows.map((r) => [r.asset, `${r.free}+${r.locked}`]));
}

/** Same numbers, whatever trailing zeros each side writes. */
function normalised(balances: Map<string, string>): Record<string, string> {
  const strip = (x: string) => (x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x);
  const out: Record<string, string> = {};
  for (const [asset, pair] of balances) {
    const [free, locked] = pair.split('+') as [string, string];
    if (Number(free) === 0 && Number(locked) === 0) continue;
    out[asset] = `${strip(free)}+${strip(locked)}`;
  }
  return out;
}

async function bestBid(symbol: string): Promise<number> {
  const res = await fetch(`${platform.plan.endpoints.restUrl}/api/v3/ticker/bookTicker?symbol=${symbol}`);
  const body = (await res.json()) as { bidPrice: string };
  return Number(body.bidPrice);
}

let restingSeq = 0;
/** A limit BUY far below the market, sent down the ORDERS stream as the risk gate sends one. */
async function restingOrder(): Promise<string> {
  restingSeq += 1;
  const clientOrderId = `systest:1:rest${Date.now().toString(36)}${restingSeq}`;
  const price = (Math.floor((await bestBid('BTCUSDT')) * 0.8 * 100) / 100).toFixed(2);
  const request = OrderRequest.parse({
    v: 1,
    clientOrderId,
    intentId: `systest-${clientOrderId}`,
    strategyId: 'sma-btc',
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '0.01',
    style: 'limit',
    price,
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: Date.now(),
  });
  await bus.publishDurable(
    platform.subjects.orderRequest('BTCUSDT'),
    { name: 'OrderRequest', schema: OrderRequest },
    request,
    {
      msgId: clientOrderId,
    },
  );
  return clientOrderId;
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      // Short averages and a livelier sim, so crosses (and trades) come every few seconds.
      const strategies = (config.strategies as { list: Array<{ params: Record<string, unknown> }> }).list;
      for (const s of strategies) Object.assign(s.params, { fast: 2, slow: 5 });
      Object.assign((config.sim as { activity: Record<string, unknown> }).activity, { volatility: 0.002 });
      Object.assign(config.reconciler as Record<string, unknown>, { intervalMs: 15_000 });
    },
  });
  await platform.startAll();
  bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
  tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  venue = await BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: {
          restUrl: platform.plan.endpoints.restUrl,
          wsStreamUrl: platform.plan.endpoints.wsStreamUrl,
          wsApiUrl: platform.plan.endpoints.wsApiUrl,
        },
      },
      orderPath: 'rest',
      timeSyncIntervalMs: 0,
    },
    credentials: loadApiCredentials({
      target: 'sim',
      env: {
        BINANCE_SIM_API_KEY: platform.simCredentials.apiKey,
        BINANCE_SIM_API_SECRET: platform.simCredentials.apiSecret,
      },
    }),
    metrics: createBinanceMetrics(),
  });
}, 180_000);

afterAll(async () => {
  await venue?.close();
  await bus?.drain();
  await platform?.close();
}, 120_000);

function simDeposit(amount: string, notify: boolean): Promise<Response> {
  return fetch(`${platform.simAdminUrl}/deposit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: platform.simCredentials.apiKey, asset: 'USDT', amount, notify }),
  });
}

describe.sequential('the paper-trading platform, as processes', () => {
  it('trades: the first passing reconciliation turns trading on and sma-cross orders fill', async () => {
    await waitFor('global trading state ACTIVE', async () => (await globalMode()) === 'ACTIVE', 60_000);
    await waitFor('a fill stored by the order manager', async () => (await fillCount()) > 0, 120_000);
    const status = await platform.bourse(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
  }, 200_000);

  it('every Bourse metric the Grafana dashboards chart is served by a running service', async () => {
    const services = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const;
    const served = new Set<string>();
    for (const service of services) {
      const answer = await fetch(`${platform.plan.opsUrls[service]}/metrics`);
      expect(answer.status, `${service} /metrics`).toBe(200);
      for (const match of (await answer.text()).matchAll(/^# TYPE (\S+) /gm)) served.add(match[1] as string);
    }
    const charted = dashboardMetricNames();
    expect(charted.length).toBeGreaterThan(20);
    expect(charted.filter((name) => !served.has(name))).toEqual([]);
  });

  it('`bourse kill --cancel-all` halts and leaves no open order at the venue within a second', async () => {
    const clientOrderId = await restingOrder();
    await waitFor(
      'the resting order at the venue',
      async () => (await venue.openOrders()).some((o) => o.clientOrderId === clientOrderId),
      30_000,
    );

    const kill = await platform.bourse(['kill', '--cancel-all', '--reason', 'system test', '--json']);
    expect(kill.code, kill.stderr).toBe(0);
    const killedAt = performance.now();
    await waitFor('no open order at the venue', async () => (await venue.openOrders()).length === 0, 1_000);
    expect(performance.now() - killedAt).toBeLessThan(1_000);
    expect(await globalMode()).toBe('HALTED');

    // Halted means halted: a new request is refused by the order manager and never reaches the venue.
    const refused = await restingOrder();
    await waitFor(
      'the order manager to refuse the request while halted',
      async () => {
        const { rows } = await platform.db.pool.query<{ status: string }>(
          'SELECT status FROM orders WHERE client_order_id = $1',
          [refused],
        );
        return rows[0]?.status === 'rejected';
      },
      30_000,
    );
    expect((await venue.openOrders()).some((o) => o.clientOrderId === refused)).toBe(false);
  }, 120_000);

  it('after `bourse resume` trading goes on', async () => {
    const before = await fillCount();
    const resume = await platform.bourse(['resume', '--reason', 'system test over']);
    expect(resume.code, resume.stderr).toBe(0);
    expect(await globalMode()).toBe('ACTIVE');
    await waitFor('a fill after resume', async () => (await fillCount()) > before, 120_000);
  }, 150_000);

  it('killing and restarting each service in turn loses no order and duplicates none', async () => {
    const services: ServiceName[] = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'];
    for (const service of services) {
      await platform.stop(service, 'SIGKILL');
      await platform.start(service);
    }
    const before = await fillCount();
    await waitFor('trading after the restarts', async () => (await fillCount()) > before, 120_000);

    // Every order at the venue is ours exactly once, and every order we sent is at the venue.
    const { rows: ours } = await platform.db.pool.query<{ id: string; venue_order_id: string | null }>(
      "SELECT client_order_id AS id, venue_order_id FROM orders WHERE status <> 'rejected'",
    );
    const ourIds = ours.map((o) => o.id);
    expect(new Set(ourIds).size).toBe(ourIds.length);
    const { rows: intents } = await platform.db.pool.query<{ intent: string; n: string }>(
      "SELECT request->>'intentId' AS intent, count(*) AS n FROM outbox GROUP BY 1 HAVING count(*) > 1",
    );
    expect(intents).toEqual([]);
    for (const symbol of SYMBOLS) {
      for (const order of await venue.openOrders(INSTRUMENT[symbol] as never))
        expect(ourIds).toContain(order.clientOrderId);
    }
  }, 400_000);

  it('fills hidden from the user stream for 30 s are recovered by the reconciler; balances match the sim exactly', async () => {
    const hidden = await fetch(`${platform.simAdminUrl}/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hideUserFillsMs: 30_000 }),
    });
    expect(hidden.status).toBe(200);
    const hiddenAt = performance.now();
    // Trades happen at the venue that the order manager does not hear of.
    await waitFor(
      'a venue trade the order manager has not stored',
      async () => {
        const stored = new Set(await storedFillIds());
        return (await venueTradeIds()).some((id) => !stored.has(id));
      },
      60_000,
      1_000,
    );
    // After the window, a reconciliation finds them; ask for one rather than wait for the schedule.
    await waitFor('the hiding window to end', async () => performance.now() - hiddenAt > 30_000, 40_000);
    const recon = await platform.bourse(['recon', '--json']);
    if (recon.code !== 0) {
      const { rows: checkpoints } = await platform.db.pool.query('SELECT * FROM trade_checkpoints');
      throw new Error(
        `recon failed: ${recon.stdout}${recon.stderr}\ncheckpoints ${JSON.stringify(checkpoints)}\n` +
          `venue trades ${JSON.stringify(await venueTradeIds())}\nstored fills ${JSON.stringify(await storedFillIds())}`,
      );
    }

    // Hold trading still so the comparison is of one moment.
    const kill = await platform.bourse(['kill', '--cancel-all', '--reason', 'compare with the sim']);
    expect(kill.code, kill.stderr).toBe(0);
    const finalRecon = await platform.bourse(['recon', '--json']);
    expect(finalRecon.code, finalRecon.stdout + finalRecon.stderr).toBe(0);
    await waitFor(
      'every venue trade stored exactly once',
      async () => JSON.stringify(await storedFillIds()) === JSON.stringify(await venueTradeIds()),
      30_000,
      1_000,
    );
    expect(normalised(await storedBalances())).toEqual(normalised(await venueBalances()));

    // Positions: per base asset, what the strategies hold (positions table) less the fees paid in that
    // asset is exactly what the account gained since the start.
    const start = platform.config.sim.balances;
    const venueNow = await venue.balances();
    for (const [symbol, base] of [
      ['BTCUSDT', 'BTC'],
      ['ETHUSDT', 'ETH'],
    ] as const) {
      const { rows } = await platform.db.pool.query<{ held: string | null; fees: string | null }>(
        `SELECT (SELECT sum(qty) FROM positions WHERE instrument = $1)::text AS held,
                (SELECT sum(fee) FROM fills WHERE instrument = $1 AND fee_asset = $2)::text AS fees`,
        [INSTRUMENT[symbol], base],
      );
      const held = Number(rows[0]?.held ?? 0);
      const fees = Number(rows[0]?.fees ?? 0);
      const balance = venueNow.find((b) => b.asset === base);
      const gained = Number(balance?.free ?? 0) + Number(balance?.locked ?? 0) - Number(start[base] ?? 0);
      // Both sides are sums of exact decimals of a few places; compare at a precision far below one step.
      expect((held - fees).toFixed(8)).toBe(gained.toFixed(8));
    }
  }, 200_000);

  it('a deposit the venue reports is booked by the order manager and is no drift', async () => {
    const storedUsdt = async () => {
      const { rows } = await platform.db.pool.query<{ free: string }>(
        "SELECT free::text AS free FROM balances WHERE asset = 'USDT'",
      );
      return rows[0]?.free;
    };
    const before = Number(await storedUsdt());
    const deposit = await simDeposit('250', true);
    expect(deposit.status).toBe(200);
    await waitFor('the deposit booked', async () => Number(await storedUsdt()) === before + 250, 30_000);
    const recon = await platform.bourse(['recon', '--json']);
    expect(recon.code, recon.stdout + recon.stderr).toBe(0);
    expect(recon.stdout).not.toContain('drift-halted');
  }, 120_000);

  it('drift beyond tolerance halts trading', async () => {
    const resume = await platform.bourse(['resume', '--reason', 'drift test']);
    expect(resume.code, resume.stderr).toBe(0);
    // Credited without a balanceUpdate: a change the user-data stream never reported.
    const deposit = await simDeposit('1000', false);
    expect(deposit.status).toBe(200);
    const recon = await platform.bourse(['recon', '--json']);
    expect(recon.code).toBe(1);
    expect(recon.stdout).toContain('drift-halted');
    const state = await tradingStates.get(tradingStateKey({ kind: 'global' }));
    expect(state?.value).toMatchObject({ mode: 'HALTED', setBy: 'reconciler' });
    expect(state?.value.reason).toContain('USDT');
  }, 120_000);
});
