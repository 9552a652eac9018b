// Figure 3 of issue 22, order throughput: orders per second the order manager accepts end to end
// with its durable outbox — an OrderRequest published durably on ORDERS (as the risk gate sends it)
// → the outbox entry committed in PostgreSQL → the order at the venue (the exchange simulator, its
// own process) → the venue's status on EXEC. The order manager is the real process (`node --import
// tsx services/order-manager/src/main.ts` with `bourse start`'s environment, test/support/platform.ts).
//
// Load: LANES closed-loop senders, each publishing one request and waiting for its EXEC status
// carrying the venue's order id before the next, so the number in flight is bounded (a request that
// waits longer than the OMS's shelf life would be expired unsent, not measured). Orders are limit
// IOC buys far below an empty book: the venue accepts each and expires it at once, so no fills, no
// resting orders and no MAX_NUM_ORDERS; what is measured is the order path itself.
//
// Baseline (same run, same database): single-row `INSERT` commits one after another on one `pg`
// connection, into a table shaped like an outbox row.
import { OrderRequest, OrderStatusUpdate } from '@bourse/contracts';
import { cpuProfileEnv, scrape, startBenchPlatform, type BenchPlatform } from './process/platform.js';
import { OtlpReceiver } from '../test/support/otlp-receiver.js';
import { benchOrderRequest, hopCosts } from './process/hops.js';
import { budgetSeconds, seconds, type Row } from './table.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const StatusContract = { name: 'OrderStatusUpdate', schema: OrderStatusUpdate };
const LANES = 64;
const WARMUP = 200;
const MAX_ORDERS = 20_000;

interface Outcome {
  accepted: boolean;
  status: string;
}

export async function figures(): Promise<Row[]> {
  const seconds_ = budgetSeconds(10);
  // BENCH_OMS_SPANS=1: the OMS exports its spans to a receiver here, and the notes say where its
  // per-order time goes, span by span (tracing costs time itself: the figure is then not the plain one).
  const receiver = process.env.BENCH_OMS_SPANS === '1' ? await OtlpReceiver.start() : undefined;
  const profile = cpuProfileEnv('order-manager');
  const bench = await startBenchPlatform(['exchange-sim', 'order-manager'], {
    configure: (config) => {
      const sim = config.sim as Record<string, unknown>;
      sim.activity = { enabled: false, stepMs: 200, volatility: 0.0005, drift: 0 };
      sim.symbols = ['BTCUSDT'];
      sim.balances = { USDT: '100000000', BTC: '100' };
      (config.marketData as Record<string, unknown>).instruments = ['BTCUSDT'];
    },
    // The venue's own limits are not what this figure measures: 100 orders per 10 s would be.
    simArgs: ['--order-limit-10s', '1000000', '--weight-limit', '10000000'],
    env: (service) => ({
      ...profile(service),
      ...(receiver !== undefined && service === 'order-manager'
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_BSP_SCHEDULE_DELAY: '500',
          }
        : {}),
    }),
  });
  const { platform, bus } = bench;
  try {
    const run = Date.now().toString(36);
    const waiting = new Map<string, (o: Outcome) => void>();
    const sub = bus.subscribe(platform.subjects.exec.status('BTCUSDT'), StatusContract, (u) => {
      const done = waiting.get(u.clientOrderId);
      if (done === undefined) return;
      // The venue's answer: an order id (new, expired IOC) or a refusal; `unknown` is not an answer.
      if (u.venueOrderId !== undefined) done({ accepted: true, status: u.status });
      else if (u.status === 'rejected' || u.status === 'expired') done({ accepted: false, status: u.status });
      else return;
      waiting.delete(u.clientOrderId);
    });
    let seq = 0;
    const send = (): Promise<Outcome> => {
      seq += 1;
      const clientOrderId = `bench-${run}-${seq}`;
      const request = benchOrderRequest(clientOrderId);
      const outcome = new Promise<Outcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(clientOrderId);
          reject(new Error(`no venue status for ${clientOrderId} within 30 s:\n${platform.logs('order-manager')}`));
        }, 30_000);
        waiting.set(clientOrderId, (o) => {
          clearTimeout(timer);
          resolve(o);
        });
      });
      return bus
        .publishDurable(platform.subjects.orderRequest('BTCUSDT'), OrderRequestContract, request, {
          msgId: clientOrderId,
        })
        .then(() => outcome);
    };
    /** LANES senders until `count` orders or `limitS` seconds; the accepted ones, their statuses and the time. */
    const drive = async (lanes: number, count: number, limitS: number) => {
      let started = 0;
      let accepted = 0;
      const statuses = new Map<string, number>();
      const t0 = process.hrtime.bigint();
      const deadline = t0 + BigInt(Math.round(Math.min(limitS, 3_600) * 1e9));
      const lane = async () => {
        while (started < count && process.hrtime.bigint() < deadline) {
          started += 1;
          const o = await send();
          if (o.accepted) accepted += 1;
          statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      return { accepted, started, statuses, s: seconds(t0) };
    };

    await drive(8, WARMUP, 60); // compiles the hot paths of both processes; not counted
    const one = await drive(1, MAX_ORDERS, Math.min(3, seconds_ / 3));
    const metricsUrl = `${platform.plan.opsUrls['order-manager']}/metrics`;
    const before = await scrape(metricsUrl);
    const dbBefore = await dbStats(platform.db.pool);
    const many = await drive(LANES, MAX_ORDERS, seconds_);
    const after = await scrape(metricsUrl);
    const mean = (name: string) => {
      const n = (after.get(`${name}_count`) ?? 0) - (before.get(`${name}_count`) ?? 0);
      const sum = (after.get(`${name}_sum`) ?? 0) - (before.get(`${name}_sum`) ?? 0);
      return n > 0 ? `${((1e3 * sum) / n).toFixed(1)} ms` : '?';
    };
    const cpu = (after.get('process_cpu_seconds_total') ?? NaN) - (before.get('process_cpu_seconds_total') ?? NaN);
    await sub.unsubscribe();

    // The statistics collector reports with a delay of up to a second or so: read after it settles.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const dbAfter = await dbStats(platform.db.pool);
    const perOrder = (k: keyof DbStats) => ((dbAfter[k] - dbBefore[k]) / Math.max(1, many.started)).toFixed(1);
    const spans = receiver === undefined ? '' : await spanSummary(receiver);
    const baseline = await insertCommits(platform.db.pool, Math.min(3, seconds_ / 3));
    const hops = await hopCosts(bench, 1e3 / baseline.rate);
    const hopSum = hops.jetStreamMs + hops.pgCommitMs + hops.simOrderMs + hops.jetStreamMs;
    const rate = many.accepted / many.s;
    const oneRate = one.accepted / one.s;
    const { rows } = await platform.db.pool.query<{ setting: string }>(
      `SELECT setting FROM pg_settings WHERE name = 'synchronous_commit'`,
    );
    return [
      {
        figure: '3',
        name: `order throughput, OMS process, ${LANES} in flight (${many.accepted} orders)`,
        value: rate,
        unit: 'orders/s',
        baseline: baseline.rate,
        baselineName: 'pg INSERT commits/s',
        ratio: rate / baseline.rate,
        target: '≥ 0.5× baseline',
        met: rate / baseline.rate >= 0.5,
        notes:
          `ORDERS publish → outbox commit → sim (ws-api) → EXEC status with venue id; limit IOC buys that expire at the venue; ` +
          `${many.started} sent in ${many.s.toFixed(1)} s, statuses ${[...many.statuses].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
          `OMS per order (its metrics, means): request createdAt → venue call ${mean('bourse_oms_decision_to_submission_seconds')}, ` +
          `venue call → ack ${mean('bourse_oms_submission_to_ack_seconds')}, request → durable outcome ${mean('bourse_oms_submission_seconds')}; ` +
          `OMS process CPU ${cpu.toFixed(1)} s over ${many.s.toFixed(1)} s; ` +
          `raw hops now, one at a time: JetStream publish+ack ${hops.jetStreamMs.toFixed(2)} ms, pg commit ${hops.pgCommitMs.toFixed(2)} ms, ` +
          `sim order over ws-api ${hops.simOrderMs.toFixed(2)} ms, core NATS ${hops.natsMs.toFixed(2)} ms ` +
          `(request publish + outbox commit + venue + EXEC publish = ${hopSum.toFixed(1)} ms); ` +
          `PostgreSQL per order (pg_stat_database, about): ${perOrder('commits')} transactions (read-only ones too), ${perOrder('inserted')} rows inserted, ${perOrder('updated')} updated; ` +
          spans +
          `one at a time: ${oneRate.toFixed(0)} orders/s (${((1e3 * one.s) / Math.max(1, one.accepted)).toFixed(2)} ms each); ` +
          `baseline ${baseline.count} single-row INSERT commits on one connection, synchronous_commit=${rows[0]?.setting ?? '?'}`,
      },
    ];
  } finally {
    await bench.close();
    await receiver?.close();
  }
}

interface DbStats {
  commits: number;
  inserted: number;
  updated: number;
}

/** This database's transaction and row counters (the platform's database is the run's own). */
async function dbStats(pool: BenchPlatform['platform']['db']['pool']): Promise<DbStats> {
  const { rows } = await pool.query<{ c: string; i: string; u: string }>(
    `SELECT xact_commit AS c, tup_inserted AS i, tup_updated AS u FROM pg_stat_database WHERE datname = current_database()`,
  );
  const r = rows[0];
  return { commits: Number(r?.c ?? NaN), inserted: Number(r?.i ?? NaN), updated: Number(r?.u ?? NaN) };
}

/** The order manager's spans received so far (once they stop arriving), by name: count and mean ms. */
async function spanSummary(receiver: OtlpReceiver): Promise<string> {
  for (let before = -1; receiver.spans.length !== before;) {
    before = receiver.spans.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  const byName = new Map<string, { n: number; us: number }>();
  for (const span of receiver.spans) {
    if (span.service !== 'order-manager') continue;
    const e = byName.get(span.name) ?? { n: 0, us: 0 };
    e.n += 1;
    e.us += span.durationUs;
    byName.set(span.name, e);
  }
  const parts = [...byName]
    .sort((a, b) => b[1].us - a[1].us)
    .map(([name, e]) => `${name} ×${e.n} ${(e.us / e.n / 1e3).toFixed(2)} ms`);
  return `OMS spans (whole run, mean): ${parts.join(', ')}; `;
}

/** Single-row INSERT … COMMIT, one after another on one connection, for `limitS` seconds. */
export async function insertCommits(
  pool: BenchPlatform['platform']['db']['pool'],
  limitS: number,
): Promise<{ rate: number; count: number }> {
  const client = await pool.connect();
  try {
    // A regular (WAL-logged) table: a temporary one would skip the commit's flush.
    await client.query(
      `CREATE TABLE bench_insert_commit (id bigserial PRIMARY KEY, client_order_id text NOT NULL, request jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    const payload = JSON.stringify({ side: 'BUY', qty: '0.01', price: '10000', style: 'limit', timeInForce: 'IOC' });
    let count = 0;
    const t0 = process.hrtime.bigint();
    const deadline = t0 + BigInt(Math.round(limitS * 1e9));
    while (process.hrtime.bigint() < deadline) {
      await client.query('INSERT INTO bench_insert_commit (client_order_id, request) VALUES ($1, $2)', [
        `b${count}`,
        payload,
      ]);
      count += 1;
    }
    const s = seconds(t0);
    await client.query('DROP TABLE bench_insert_commit');
    return { rate: count / s, count };
  } finally {
    client.release();
  }
}
