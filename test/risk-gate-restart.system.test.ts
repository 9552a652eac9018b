// Issue 15 part 2, as processes: a strategy with more filled orders than its open-order limit, the
// risk gate killed (-9) and started again, trades again at once. Before the fix the restarted gate
// rebuilt every filled order as open and refused the strategy for good ("would have 4 open orders;
// the maximum is 2") while the venue showed none open. The simulator, the order manager, the
// reconciler (which turns trading on), the gate and the market-data gateway run; intents are sent as
// a strategy sends them, so no strategy's own timing is in the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type BusSubscription, type TypedKv } from '@bourse/bus';
import { Intent, Quote, RiskDecision, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { Platform } from './support/platform.js';

const STRATEGY = 'sma-btc';
const MAX_OPEN_ORDERS = 2;

let platform: Platform;
let bus: Bus;
let tradingStates: TypedKv<TradingState>;
let decisionsSub: BusSubscription;
const decisions = new Map<string, RiskDecision>();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n--- risk-gate\n${platform.logs('risk-gate', 20)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let seq = 0;
/** A market BUY of 0.001 BTC by the strategy, published on INTENTS as the strategy runner does. */
async function sendIntent(): Promise<string> {
  seq += 1;
  const intent = Intent.parse({
    v: 1,
    id: `restart-${Date.now().toString(36)}-${seq}`,
    strategyId: STRATEGY,
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    side: 'BUY',
    qty: '0.001',
    style: 'market',
    reduceOnly: false,
    inputs: {},
    createdAt: Date.now(),
  });
  await bus.publishDurable(platform.subjects.intent(STRATEGY, 'BTCUSDT'), { name: 'Intent', schema: Intent }, intent, {
    msgId: intent.id,
  });
  return intent.id;
}

async function filledOrders(): Promise<number> {
  const { rows } = await platform.db.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM orders WHERE strategy_id = $1 AND status = 'filled'",
    [STRATEGY],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Sends an intent and waits for the gate's decision on it and, if accepted, for its order to fill. */
async function trade(): Promise<RiskDecision> {
  const before = await filledOrders();
  const intentId = await sendIntent();
  const decision = await waitFor('the risk decision', async () => decisions.get(intentId), 15_000);
  if (decision.outcome === 'accepted')
    await waitFor('the order filled', async () => (await filledOrders()) > before, 15_000);
  return decision;
}

/** Resolves on the next BTCUSDT quote the market-data gateway publishes. */
function nextQuote(): Promise<void> {
  return new Promise((resolve) => {
    const sub = bus.subscribe(
      platform.subjects.md.quote('binance', 'BTCUSDT'),
      { name: 'Quote', schema: Quote },
      () => {
        void sub.unsubscribe();
        resolve();
      },
    );
  });
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      const limits = (config.risk as { limits: { defaults: Record<string, unknown> } }).limits;
      limits.defaults.maxOpenOrders = MAX_OPEN_ORDERS;
    },
  });
  for (const service of ['exchange-sim', 'order-manager', 'reconciler', 'risk-gate', 'market-data'] as const) {
    await platform.start(service);
  }
  bus = await connectBus({
    service: 'system-test',
    subjects: platform.subjects,
    logger: createLogger({ service: 'system-test', level: 'silent' }),
    registry: createMetrics({ service: 'system-test' }).registry,
  });
  decisionsSub = bus.subscribe(
    platform.subjects.riskDecision(STRATEGY),
    { name: 'RiskDecision', schema: RiskDecision },
    (decision) => void decisions.set(decision.intentId, decision),
  );
  await bus.flush();
  tradingStates = await bus.tradingState({ name: 'TradingState', schema: TradingState });
  await waitFor(
    'global trading state ACTIVE',
    async () => (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode === 'ACTIVE',
    60_000,
  );
  await nextQuote();
}, 180_000);

afterAll(async () => {
  await decisionsSub?.unsubscribe();
  await bus?.drain();
  await platform?.close();
}, 120_000);

describe('a restarted risk gate', () => {
  it('lets a strategy with more filled orders than its open-order limit trade again at once', async () => {
    for (let i = 0; i <= MAX_OPEN_ORDERS; i++) {
      const decision = await trade();
      expect(decision.outcome, JSON.stringify(decision)).toBe('accepted');
    }
    expect(await filledOrders()).toBe(MAX_OPEN_ORDERS + 1);

    await platform.stop('risk-gate', 'SIGKILL');
    await platform.start('risk-gate');
    // The gate subscribed to quotes before it reported ready; the first quote published after that
    // reached it before the intent below can (the server queued it to the gate first).
    await nextQuote();

    const after = await trade();
    expect(after.outcome, JSON.stringify(after)).toBe('accepted');
    expect(await filledOrders()).toBe(MAX_OPEN_ORDERS + 2);
  }, 120_000);
});
