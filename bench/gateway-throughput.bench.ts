// Figure 2 of issue 22, market-data throughput: events per second one market-data gateway process
// (services/market-data, started as `bourse start` starts it) takes from a venue WebSocket to NATS —
// each bookTicker or trade frame validated, normalised and published as a Quote or Trade — while it
// keeps the coalesced Redis snapshot of each instrument, without falling behind.
//
// The source is bench/process/ws-firehose.ts, its own process, speaking the simulator's combined-
// stream format at the reader's pace (the simulator's REST still serves the gateway its exchangeInfo).
// Falling behind is bounded by construction: the source writes only while less than 512 KiB sits
// unsent, so the rate is what the reader takes; the figure counts the messages that reached NATS (a
// subscriber in this process) and the lag is how long after the source's last write the last one
// arrived. Baseline: bench/process/bare-ws-nats.ts, `ws` + `JSON.parse` + NATS publish in one
// process, against the same source, measured the same way in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { cpuProfileEnv, samples, startBenchPlatform } from './process/platform.js';
import { Redis } from './process/deps.js';
import { budgetSeconds, seconds, type Row } from './table.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const MAX_FRAMES = 20_000_000;
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

interface Done {
  frames: number;
  ms: number;
  lastBid: string;
}

function child(file: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', here(file)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function next<T>(c: ChildProcess, key: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${key} from ${c.spawnfile} in ${timeoutMs} ms`)), timeoutMs);
    const on = (m: Record<string, unknown>) => {
      if (m.error !== undefined) reject(new Error(String(m.error)));
      else if (!(key in m)) return;
      else resolve(m[key] as T);
      clearTimeout(timer);
      c.off('message', on);
    };
    c.on('message', on);
  });
}

interface Measured {
  events: number;
  sent: number;
  rate: number;
  lagMs: number;
  lastBid: string;
}

/** Tells the firehose to send for `s` seconds; counts what reaches `subject` on NATS until it stops arriving. */
async function measure(nc: NatsConnection, firehose: ChildProcess, subject: string, s: number): Promise<Measured> {
  let count = 0;
  let lastAt = 0n;
  const sub = nc.subscribe(subject, {
    callback: () => {
      count += 1;
      lastAt = process.hrtime.bigint();
    },
  });
  await nc.flush();
  const t0 = process.hrtime.bigint();
  firehose.send({ go: { seconds: s, maxFrames: MAX_FRAMES } });
  const done = await next<Done>(firehose, 'done', (s + 60) * 1_000);
  const sentAt = process.hrtime.bigint();
  // Drained when nothing new arrived for 500 ms (or all arrived), bounded at 30 s.
  for (;;) {
    const before = count;
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (count >= done.frames || count === before || seconds(sentAt) > 30) break;
  }
  sub.unsubscribe();
  const lag = lastAt > sentAt ? Number(lastAt - sentAt) / 1e6 : 0;
  const span = Number((lastAt > t0 ? lastAt : sentAt) - t0) / 1e9;
  return { events: count, sent: done.frames, rate: count / span, lagMs: lag, lastBid: done.lastBid };
}

export async function figures(): Promise<Row[]> {
  const s = Math.min(budgetSeconds(6), 600);
  const firehose = child('./process/ws-firehose.ts');
  const port = await next<number>(firehose, 'port', 60_000);
  const streamUrl = `ws://127.0.0.1:${port}`;
  let bare: ChildProcess | undefined;
  let nc: NatsConnection | undefined;
  const bench = await startBenchPlatform(['exchange-sim', 'market-data'], {
    configure: (config) => {
      const sim = config.sim as Record<string, unknown>;
      sim.activity = { enabled: false, stepMs: 200, volatility: 0.0005, drift: 0 };
      sim.symbols = SYMBOLS;
      (config.marketData as Record<string, unknown>).instruments = SYMBOLS;
    },
    env: (service) =>
      service === 'market-data'
        ? { MD_SIM_WS_STREAM_URL: streamUrl, MD_CHANNELS: 'quotes,trades', ...cpuProfileEnv('market-data')(service) }
        : {},
  }).catch(async (error: unknown) => {
    firehose.kill('SIGTERM');
    throw error;
  });
  const { platform } = bench;
  const redis = new Redis(platform.config.servers.redis, { lazyConnect: true });
  try {
    nc = await connect({ servers: platform.config.servers.nats });
    const p = platform.subjects.prefix === '' ? '' : `${platform.subjects.prefix}.`;
    const gatewaySubject = `${p}md.binance.*.*`;
    await measure(nc, firehose, gatewaySubject, 1); // warm-up: the JIT, the connections; not counted
    const gw = await measure(nc, firehose, gatewaySubject, s);
    // The snapshot the gateway keeps: written coalesced (at most every MD_SNAPSHOT_FLUSH_MS), so
    // it is read until it holds the last quote sent, bounded at 5 s; how long that took is reported.
    await redis.connect();
    const prefix = platform.plan.serviceEnv['market-data'].MD_SNAPSHOT_KEY_PREFIX ?? '';
    const drainedAt = process.hrtime.bigint();
    let snapshotMs: number | undefined;
    while (snapshotMs === undefined && seconds(drainedAt) < 5) {
      const snaps = await Promise.all(SYMBOLS.map((sym) => redis.get(`${prefix}binance:${sym}`)));
      const tops = snaps.map((t) => (t === null ? undefined : (JSON.parse(t) as { top?: { bidPrice?: string } }).top));
      if (tops.some((top) => top?.bidPrice !== undefined && Number(top.bidPrice) === Number(gw.lastBid)))
        snapshotMs = seconds(drainedAt) * 1e3;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const mdMetrics = `${platform.plan.opsUrls['market-data']}/metrics`;
    const counted = [
      ...(await samples(mdMetrics, 'bourse_md_rejected_total')),
      ...(await samples(mdMetrics, 'bourse_venue_dropped_frames_total')),
      ...(await samples(mdMetrics, 'bourse_venue_ws_reconnects_total')),
      ...(await samples(mdMetrics, 'bourse_md_resets_total')),
    ];
    await platform.stop('market-data');

    bare = child('./process/bare-ws-nats.ts');
    bare.send({
      url: `${streamUrl}/stream?streams=${SYMBOLS.flatMap((x) => [`${x.toLowerCase()}@bookTicker`, `${x.toLowerCase()}@trade`]).join('/')}`,
      nats: platform.config.servers.nats,
      prefix: platform.subjects.prefix,
    });
    await next<boolean>(bare, 'ready', 60_000);
    const bareSubject = `${p}md.bare.*.*`;
    await measure(nc, firehose, bareSubject, 1);
    const base = await measure(nc, firehose, bareSubject, s);

    const ratio = gw.rate / base.rate;
    return [
      {
        figure: '2',
        name: `market-data throughput, gateway process, ${SYMBOLS.length} symbols, quotes + trades (${gw.events} events)`,
        value: gw.rate,
        unit: 'events/s',
        baseline: base.rate,
        baselineName: 'bare ws + JSON.parse + NATS publish',
        ratio,
        target: '≥ 0.5× baseline and ≥ 100 000/s',
        met: ratio >= 0.5 && gw.rate >= 100_000,
        notes:
          `source: a Binance-format WS firehose process at the reader's pace (≤ 512 KiB unsent), the sim serving REST; ` +
          `gateway: ${gw.events} of ${gw.sent} frames on NATS, lag after the source's last write ${gw.lagMs.toFixed(0)} ms, ` +
          `gateway counters (whole run, warm-up included): ${counted.join('; ') || 'no rejects, drops, reconnects or resets'}; ` +
          (snapshotMs === undefined
            ? 'the Redis snapshot did NOT reach the last quote sent within 5 s; '
            : `the Redis snapshot held the last quote sent ${snapshotMs.toFixed(0)} ms after the last NATS message; `) +
          `baseline: ${base.events} of ${base.sent} frames, lag ${base.lagMs.toFixed(0)} ms; ${s} s each after a 1 s warm-up; book channel not subscribed`,
      },
    ];
  } finally {
    redis.disconnect();
    bare?.disconnect();
    await nc?.drain().catch(() => undefined);
    firehose.disconnect();
    await bench.close();
  }
}
