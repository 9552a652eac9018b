// Figure 1 of issue 22, tick-to-trade latency through the real processes: the exchange simulator
// emits a trade → the market-data gateway publishes it on NATS → the strategy runner decides
// (bench/process/t2t-strategy.ts, on every `EVERY`-th trade id) and publishes an intent → the risk
// gate checks it and publishes an OrderRequest → the order manager journals it and sends it to the
// simulator over the WS API. Each process is the real one, started as `bourse start` starts it
// (test/support/platform.ts).
//
// One clock: the start is the trade's time `T` as the simulator stamps it on the event it emits (the
// gateway carries it as the Trade's venueTime), the end is the order's `time` as the simulator
// records its arrival (`allOrders`). Both are the simulator's Date.now(), in whole milliseconds, so
// each latency is ±1 ms; no other clock enters the figure.
//
// Source: the simulator's own market activity at its fastest step (every 10 ms: a re-quoted ladder,
// and a taker crossing the spread on ~30 % of steps). It cannot be driven at 1 000 or 10 000 events/s
// (one step per ≥ 10 ms, each a JS matching engine's work), so the figure is measured at the rate it
// reaches, which the notes give (trades and quotes per second as they reached NATS).
//
// Baseline: the same path's raw hops measured in the run (bench/process/hops.ts): core NATS
// publish→receive (market data), two JetStream publishes with their acks (intent, order request),
// one PostgreSQL commit (the outbox), one order to the simulator and its answer over the WS API.
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Intent, OrderRequest, Quote, Trade } from '@bourse/contracts';
import { insertCommits } from './oms-throughput.bench.js';
import { hopCosts } from './process/hops.js';
import { scrape, startBenchPlatform } from './process/platform.js';
import { LOT } from './process/t2t-strategy.js';
import { budgetSeconds, type Row } from './table.js';

const STRATEGY = fileURLToPath(new URL('./process/t2t-strategy.ts', import.meta.url));
/**
 * The strategy decides on trades whose id is a multiple of this: a known fraction of the trades. The
 * order manager handles one request at a time (figure 3: ~15-50 ms each here), so one in 3 trades
 * (~9 orders/s) queues at it and the figure becomes that queue (measured: p50 ~0.85 s); one in 10
 * (~2.5 orders/s) keeps the decisions well below its rate. BENCH_T2T_EVERY sets another.
 */
const EVERY = Number(process.env.BENCH_T2T_EVERY ?? 10);
const BASE_LOTS = 100;
const WARMUP_S = 5;
const STEP_MS = 10;
/** The sim's activity runs on each; the gateway carries all; the strategy trades the first. */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

interface SimOrder {
  origQty: string;
  time: number;
  status: string;
  clientOrderId: string;
}

export async function figures(): Promise<Row[]> {
  const runS = budgetSeconds(30);
  const bench = await startBenchPlatform(
    // The reconciler too: the runner emits nothing until a reconciliation report says ok (safe start).
    ['exchange-sim', 'market-data', 'order-manager', 'reconciler', 'risk-gate', 'strategy-runner'],
    {
      configure: (config) => {
        const sim = config.sim as Record<string, unknown>;
        sim.activity = { enabled: true, stepMs: STEP_MS, volatility: 0.0002, drift: 0 };
        sim.symbols = SYMBOLS;
        sim.balances = { USDT: '100000000', BTC: '100' };
        (config.marketData as Record<string, unknown>).instruments = SYMBOLS;
        config.strategies = {
          list: [
            {
              module: `${STRATEGY}#t2tBench`,
              id: 't2t',
              version: '0.1.0',
              venue: 'binance',
              instruments: ['BTC/USDT'],
              params: { every: EVERY, baseLots: BASE_LOTS },
            },
          ],
        };
        // The gate's limits are not what this figure measures: generous enough never to refuse.
        const limits = (config.risk as { limits: Record<string, unknown> }).limits;
        limits.global = { maxOpenOrders: 10_000, maxDailyLoss: { USDT: '1000000' } };
        limits.defaults = {
          ...(limits.defaults as Record<string, unknown>),
          maxOrderQty: '10',
          maxOrderNotional: '1000000',
          maxPosition: '100',
          maxAggregatePosition: '100',
          maxOpenOrders: 10_000,
          orderRate: { maxOrders: 100_000, windowMs: 1000 },
          rejectionCooldown: { afterRejections: 100_000, cooldownMs: 1000 },
          killSwitch: { rejectionBurst: { count: 100_000, windowMs: 1000 }, staleFeedHaltAfterMs: 60_000 },
        };
      },
      simArgs: ['--order-limit-10s', '1000000', '--weight-limit', '10000000'],
    },
  );
  const { platform, bus } = bench;
  try {
    // What reached NATS from the gateway: the trades' simulator times (to pair with orders) and the
    // event counts (the rate the chain ran at).
    const tradeTimes = new Map<bigint, number>();
    // Where the time goes, for the notes: when the gateway received each trade, when the runner
    // decided, when the risk gate made the order request. Those are the host's clock, which every
    // process here shares (one machine), so they split the figure without a skew between them.
    const received = new Map<bigint, number>();
    const decided = new Map<bigint, { intentId: string; at: number }>();
    const requested = new Map<string, number>();
    const iSub = bus.subscribe(platform.subjects.intent('t2t', 'BTCUSDT'), { name: 'Intent', schema: Intent }, (i) => {
      const id = i.inputs['tradeId'];
      if (typeof id === 'string') decided.set(BigInt(id), { intentId: i.id, at: i.createdAt });
    });
    const rSub = bus.subscribe(
      platform.subjects.orderRequest('BTCUSDT'),
      { name: 'OrderRequest', schema: OrderRequest },
      (r) => {
        requested.set(r.intentId, r.createdAt);
      },
    );
    let trades = 0;
    let quotes = 0;
    let counting = false;
    const mdSubs = SYMBOLS.flatMap((symbol) => [
      bus.subscribe(platform.subjects.md.trade('binance', symbol), { name: 'Trade', schema: Trade }, (t) => {
        if (counting) trades += 1;
        if (symbol !== 'BTCUSDT') return;
        tradeTimes.set(BigInt(t.venueTradeId), t.venueTime);
        received.set(BigInt(t.venueTradeId), t.receivedAt);
      }),
      bus.subscribe(platform.subjects.md.quote('binance', symbol), { name: 'Quote', schema: Quote }, () => {
        if (counting) quotes += 1;
      }),
    ]);

    await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1e3));
    const simNow = async () =>
      ((await (await fetch(`${platform.plan.endpoints.restUrl}/api/v3/time`)).json()) as { serverTime: number })
        .serverTime;
    const from = await simNow();
    counting = true;
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, runS * 1e3));
    counting = false;
    const to = await simNow();
    const s = (Date.now() - t0) / 1e3;
    // Orders decided at the end are still on their way: wait for the chain to drain.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const sub of mdSubs) await sub.unsubscribe();
    await iSub.unsubscribe();
    await rSub.unsubscribe();

    const orders = await allOrders(platform, from - 60_000);
    // BENCH_T2T_LOGS=<dir>: each service's log written there (why no orders came, when none do).
    if (process.env.BENCH_T2T_LOGS !== undefined) {
      const { writeFileSync } = await import('node:fs');
      for (const svc of ['strategy-runner', 'risk-gate', 'order-manager', 'market-data', 'reconciler'] as const)
        writeFileSync(`${process.env.BENCH_T2T_LOGS}/${svc}.log`, platform.logs(svc));
    }
    const latencies: number[] = [];
    const stages = { gateway: [] as number[], runner: [] as number[], risk: [] as number[], oms: [] as number[] };
    let unmatched = 0;
    // Every decision trade seen, so an order of a warm-up decision that arrives in the window pairs
    // with its trade (and is then left out, as warm-up) instead of counting as unpaired.
    const decisions = [...tradeTimes].filter(([id]) => id % BigInt(EVERY) === 0n);
    const inWindow = decisions.filter(([, time]) => time >= from && time < to).length;
    for (const o of orders) {
      const code = Math.round(Number(o.origQty) / LOT) - BASE_LOTS;
      // The latest decision trade with this code at or before the order's arrival.
      let best: number | undefined;
      let bestId = 0n;
      for (const [id, time] of decisions) {
        if (Number((id / BigInt(EVERY)) % 1000n) !== code || time > o.time) continue;
        if (best === undefined || time > best) [best, bestId] = [time, id];
      }
      if (best === undefined) {
        if (o.time >= from && o.time < to) unmatched += 1;
        continue;
      }
      if (best < from || best >= to) continue;
      latencies.push(o.time - best);
      const recv = received.get(bestId);
      const decision = decided.get(bestId);
      const request = decision === undefined ? undefined : requested.get(decision.intentId);
      if (recv === undefined || decision === undefined || request === undefined) continue;
      stages.gateway.push(recv - best);
      stages.runner.push(decision.at - recv);
      stages.risk.push(request - decision.at);
      stages.oms.push(o.time - request);
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const oms = await scrape(`${platform.plan.opsUrls['order-manager']}/metrics`);
    const omsT2t =
      (oms.get('bourse_oms_tick_to_trade_seconds_sum') ?? NaN) /
      (oms.get('bourse_oms_tick_to_trade_seconds_count') ?? NaN);
    const pg = await insertCommits(platform.db.pool, 2);
    const hops = await hopCosts(bench, 1e3 / pg.rate);
    const baseline = hops.natsMs + 2 * hops.jetStreamMs + hops.pgCommitMs + hops.simOrderMs;
    const eventRate = (trades + quotes) / s;
    const n = latencies.length;
    const notes =
      `simulator activity every ${STEP_MS} ms (its fastest) on ${SYMBOLS.join(', ')} (decisions on BTCUSDT's trades): ${(trades / s).toFixed(0)} trades/s + ${(quotes / s).toFixed(0)} quotes/s ` +
      `reached NATS over ${s.toFixed(1)} s after a ${WARMUP_S} s warm-up (not 1 000 or 10 000/s: the simulator's own source cannot go faster); ` +
      `the strategy decides on 1 trade in ${EVERY} (id divisible by ${EVERY}): ${inWindow} decisions in the window, ${n} of their orders paired at the simulator, ${unmatched} unpaired; ` +
      `start = trade time T stamped by the simulator, end = the order's arrival time there (allOrders), whole ms, one clock; ` +
      `p50 ${q(50)} p90 ${q(90)} p99 ${q(99)} max ${q(100)} ms; ` +
      `baseline = core NATS ${hops.natsMs.toFixed(2)} + 2 × JetStream publish+ack ${hops.jetStreamMs.toFixed(2)} + pg commit ${hops.pgCommitMs.toFixed(2)} + sim order over ws-api ${hops.simOrderMs.toFixed(2)} ms ` +
      `(the sim → gateway WebSocket hop is not in it); ` +
      `medians per stage over ${stages.oms.length} orders (host clock, shared by every process): sim trade → gateway receipt ${median(stages.gateway)} ms, ` +
      `→ runner's decision ${median(stages.runner)} ms, → risk gate's order request ${median(stages.risk)} ms, → arrival at the sim (OMS) ${median(stages.oms)} ms; ` +
      `the OMS's own tick-to-trade histogram (gateway receipt → venue ack, whole run, mean): ${Number.isFinite(omsT2t) ? `${(omsT2t * 1e3).toFixed(1)} ms` : '—'}`;
    const row = (p: number, label: string, target: string, met: boolean | undefined): Row => ({
      figure: '1',
      name: `tick-to-trade ${label}, sim → gateway → runner → risk → OMS → sim, ${eventRate.toFixed(0)} events/s (${n} orders)`,
      value: q(p),
      unit: 'ms',
      baseline,
      baselineName: 'sum of raw hops, ms',
      ratio: q(p) / baseline,
      target,
      met,
      notes: label === 'p50' ? notes : undefined,
    });
    return [
      row(50, 'p50', '≤ 2× baseline', q(50) / baseline <= 2),
      row(90, 'p90', '—', undefined),
      // The issue's p99 target is set at 10 000 events/s, a rate this source does not reach.
      row(99, 'p99', '< 5 ms at 10 000 events/s', q(99) < 5 && eventRate >= 10_000),
      row(100, 'max', '—', undefined),
    ];
  } finally {
    await bench.close();
  }
}

/** The platform account's orders at the simulator since `startTime` (REST allOrders, signed). */
async function allOrders(
  platform: Awaited<ReturnType<typeof startBenchPlatform>>['platform'],
  startTime: number,
): Promise<SimOrder[]> {
  const out: SimOrder[] = [];
  let since = startTime;
  for (;;) {
    const query = `symbol=BTCUSDT&startTime=${since}&limit=1000&timestamp=${Date.now()}&recvWindow=60000`;
    const signature = createHmac('sha256', platform.simCredentials.apiSecret).update(query).digest('hex');
    const res = await fetch(`${platform.plan.endpoints.restUrl}/api/v3/allOrders?${query}&signature=${signature}`, {
      headers: { 'X-MBX-APIKEY': platform.simCredentials.apiKey },
    });
    if (!res.ok) throw new Error(`allOrders: HTTP ${res.status} ${await res.text()}`);
    const page = (await res.json()) as SimOrder[];
    out.push(...page);
    if (page.length < 1000) return out;
    since = Math.max(...page.map((o) => o.time)) + 1;
  }
}
