// The raw cost of each hop an order takes through the platform, measured one at a time on the same
// servers in the same run: what a request would cost if nothing but the hops took time. Figure 3
// sets it beside the order manager's per-order time; figure 1 (tick-to-trade.bench.ts) sums them as its baseline.
import { randomBytes } from 'node:crypto';
import { OrderRequest } from '@bourse/contracts';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import type { BenchPlatform } from './platform.js';
import { seconds } from '../table.js';

/**
 * The order the process figures send: a limit IOC buy far under the market, so the venue expires it
 * and no fill moves balances; `id` is both its client order id and its intent id.
 */
export function benchOrderRequest(id: string): OrderRequest {
  return OrderRequest.parse({
    v: 1,
    clientOrderId: id,
    intentId: id,
    strategyId: 'bench',
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '0.01',
    style: 'limit',
    price: '10000',
    timeInForce: 'IOC',
    reduceOnly: false,
    createdAt: Date.now(),
  });
}

export interface HopCosts {
  /** Core NATS publish → receive, one at a time (ms). */
  natsMs: number;
  /** A JetStream publish with its ack (file storage), one at a time (ms). */
  jetStreamMs: number;
  /** One single-row INSERT commit (ms). */
  pgCommitMs: number;
  /** One order to the sim and its answer over the adapter's WS API, as the OMS sends them (ms). */
  simOrderMs: number;
}

/** Mean ms of `op` run one after another for about `limitS` seconds. */
async function meanMs(limitS: number, op: (i: number) => Promise<unknown>): Promise<number> {
  await op(-1); // the first one pays for connections and compilation
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (seconds(t0) < limitS) await op(n++);
  return (seconds(t0) * 1e3) / n;
}

export async function hopCosts(bench: BenchPlatform, pgCommitMs: number, limitS = 1): Promise<HopCosts> {
  const { bus, platform } = bench;
  const probe = benchOrderRequest('hop-probe');
  const contract = { name: 'OrderRequest', schema: OrderRequest };

  // Core NATS: a subject nobody else listens on, answered by our own subscription.
  const subject = `${platform.subjects.prefix}.bench.hop`;
  let arrived: (() => void) | undefined;
  const sub = bus.subscribe(subject, contract, () => arrived?.());
  const natsMs = await meanMs(limitS, async () => {
    const got = new Promise<void>((resolve) => (arrived = resolve));
    await bus.publish(subject, contract, probe);
    await got;
  });
  await sub.unsubscribe();

  // JetStream: the INTENTS stream, which nothing consumes in these runs (the risk gate is not started).
  const run = randomBytes(3).toString('hex');
  const jetStreamMs = await meanMs(limitS, (i) =>
    bus.publishDurable(platform.subjects.intent('bench', 'BTCUSDT'), contract, probe, { msgId: `hop-${run}-${i}` }),
  );

  const venue = await BinanceVenueClient.connect({
    options: {
      target: { name: 'sim', endpoints: platform.plan.endpoints },
      orderPath: 'ws-api',
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
  try {
    const simOrderMs = await meanMs(limitS, (i) =>
      venue.placeOrder({
        clientOrderId: `hop-${run}-${i}` as OrderRequest['clientOrderId'],
        symbol: 'BTC/USDT' as OrderRequest['instrument'],
        side: 'BUY',
        style: 'limit',
        quantity: '0.01' as OrderRequest['qty'],
        price: '10000' as OrderRequest['qty'],
        timeInForce: 'IOC',
      }),
    );
    return { natsMs, jetStreamMs, pgCommitMs, simOrderMs };
  } finally {
    await venue.close();
  }
}
