// Secrets stay secret (issue 19 part 4, DESIGN 12): the platform runs a whole scenario with
// distinctive API keys and secrets (a trading pair, and a read-only pair for market data and the
// reconciler, which the sim refuses any order) — start, trade, kill, resume, WebSocket drops, an order the venue
// rejects, a bad config — and then every output is scanned for the key, the secret and any request
// signature: every process's log, every CLI answer and error, every service's /metrics, every span
// the processes export (an OTLP receiver of the test's own: the spans as decoded and the raw export
// bodies) and every file under the state folder.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type TypedKv } from '@bourse/bus';
import { OrderRequest, TradingState, tradingStateKey } from '@bourse/contracts';
import { createLogger, createMetrics } from '@bourse/telemetry';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { Platform, type ServiceName } from './support/platform.js';

let platform: Platform;
let receiver: OtlpReceiver;
let bus: Bus;
let tradingStates: TypedKv<TradingState>;
/** Every CLI answer and error of the scenario. */
const cliOutput: string[] = [];

const SERVICES = ['order-manager', 'reconciler', 'risk-gate', 'market-data', 'strategy-runner'] as const;
const PROCESSES: readonly ServiceName[] = ['exchange-sim', ...SERVICES];

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const logs = SERVICES.map((s) => `--- ${s}\n${platform.logs(s, 15)}`).join('\n');
      throw new Error(`timed out waiting for ${what}${last === undefined ? '' : ` (${String(last)})`}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function bourse(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = await platform.bourse(args);
  cliOutput.push(`$ bourse ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
  return run;
}

async function globalMode(): Promise<string | undefined> {
  return (await tradingStates.get(tradingStateKey({ kind: 'global' })))?.value.mode;
}

async function fillCount(): Promise<number> {
  const { rows } = await platform.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM fills');
  return Number(rows[0]?.n ?? 0);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  platform = await Platform.create({
    readOnlyKeys: true,
    // Every process exports its spans here, half in each OTLP encoding; within half a second.
    env: (service) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: ['risk-gate', 'market-data', 'exchange-sim'].includes(service)
        ? 'http/json'
        : 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '500',
    }),
    configure: (config) => {
      const strategies = (config.strategies as { list: Array<{ params: Record<string, unknown> }> }).list;
      for (const s of strategies) Object.assign(s.params, { fast: 2, slow: 5 });
      Object.assign((config.sim as { activity: Record<string, unknown> }).activity, { volatility: 0.002 });
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
}, 180_000);

afterAll(async () => {
  await bus?.drain();
  await platform?.close();
  await receiver?.close();
}, 120_000);

describe.sequential('no key, secret or signature in any output', () => {
  it('runs the scenario: trade, kill, resume, WebSocket drops, a rejected order, a bad config', async () => {
    await waitFor('global trading state ACTIVE', async () => (await globalMode()) === 'ACTIVE', 60_000);
    await waitFor('a fill stored by the order manager', async () => (await fillCount()) > 0, 120_000);

    const kill = await bourse(['kill', '--cancel-all', '--reason', 'secret scan']);
    expect(kill.code, kill.stderr).toBe(0);
    const resume = await bourse(['resume', '--reason', 'secret scan over']);
    expect(resume.code, resume.stderr).toBe(0);

    // Reconnects: every WebSocket cut (streams and WS API), every user-data subscription ended.
    for (const fault of ['drop-ws', 'expire-user-data']) {
      const res = await fetch(`${platform.simAdminUrl}/faults/${fault}`, { method: 'POST' });
      expect(res.status, fault).toBe(200);
    }

    // An order the venue refuses: far more than the account holds.
    const clientOrderId = `systest:1:toobig${Date.now().toString(36)}`;
    await bus.publishDurable(
      platform.subjects.orderRequest('BTCUSDT'),
      { name: 'OrderRequest', schema: OrderRequest },
      OrderRequest.parse({
        v: 1,
        clientOrderId,
        intentId: `systest-${clientOrderId}`,
        strategyId: 'sma-btc',
        strategyVersion: '1.0.0',
        venue: 'binance',
        instrument: 'BTC/USDT',
        venueSymbol: 'BTCUSDT',
        side: 'BUY',
        qty: '5000',
        style: 'limit',
        price: '1000.00',
        timeInForce: 'GTC',
        reduceOnly: false,
        createdAt: Date.now(),
      }),
      { msgId: clientOrderId },
    );
    await waitFor(
      'the venue to reject the oversized order',
      async () => {
        const { rows } = await platform.db.pool.query<{ status: string }>(
          'SELECT status FROM orders WHERE client_order_id = $1',
          [clientOrderId],
        );
        return rows[0]?.status === 'rejected';
      },
      60_000,
    );

    // A bad config that quotes the secret where a value is expected.
    // (Written outside the state folder, whose files are scanned.)
    const outside = mkdtempSync(join(tmpdir(), 'bourse-bad-config-'));
    try {
      const bad = join(outside, 'bad.yaml');
      writeFileSync(bad, `v: 1\nsim: { port: "${platform.simCredentials.apiSecret}" }\n`);
      const refused = await bourse(['positions', '--config', bad]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/bad\.yaml: sim\.port/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }

    // Trading goes on after the reconnects.
    const before = await fillCount();
    await waitFor('a fill after the reconnects', async () => (await fillCount()) > before, 120_000);
  }, 400_000);

  it('finds none of them in logs, CLI output, /metrics, spans or the state folder', async () => {
    const secrets = [platform.simCredentials, platform.readOnlyCredentials].flatMap((pair) =>
      pair === undefined
        ? []
        : [
            { what: 'an API key', value: pair.apiKey },
            { what: 'an API secret', value: pair.apiSecret },
          ],
    );
    expect(secrets).toHaveLength(4);
    const outputs: Array<{ where: string; text: string }> = [
      ...PROCESSES.map((p) => ({ where: `${p} log`, text: platform.logs(p, 100_000) })),
      ...cliOutput.map((text, i) => ({ where: `CLI run ${i + 1}`, text })),
    ];
    for (const service of SERVICES) {
      const res = await fetch(`${platform.plan.opsUrls[service]}/metrics`);
      outputs.push({ where: `${service} /metrics`, text: await res.text() });
    }
    const simMetrics = await fetch(`${platform.plan.endpoints.restUrl}/metrics`);
    expect(simMetrics.status).toBe(200);
    outputs.push({ where: 'exchange-sim /metrics', text: await simMetrics.text() });
    for (const file of filesUnder(platform.stateDir)) outputs.push({ where: file, text: readFileSync(file, 'utf8') });
    // Spans: the order path's processes exported some (sent within half a second of ending).
    await waitFor(
      'spans from the runner, risk gate, order manager and sim',
      () =>
        Promise.resolve(
          ['strategy-runner', 'risk-gate', 'order-manager', 'exchange-sim'].every((s) =>
            receiver.spans.some((span) => span.service === s),
          ),
        ),
      30_000,
    );
    expect(receiver.errors).toEqual([]);
    outputs.push({ where: 'spans received', text: JSON.stringify(receiver.spans) });
    receiver.rawBodies.forEach((body, i) =>
      outputs.push({ where: `OTLP export body ${i + 1}`, text: body.toString('latin1') }),
    );

    // Something was scanned: every process logged, every service served metrics.
    for (const p of PROCESSES) expect(platform.logs(p, 10).length, p).toBeGreaterThan(0);
    const leaks = outputs.flatMap(({ where, text }) => {
      const found: string[] = [];
      for (const secret of secrets) if (text.includes(secret.value)) found.push(`${where}: ${secret.what}`);
      // An HMAC-SHA256 signature is 64 hex digits, after `signature=` in a query or as a JSON field.
      const signature = /signature["']?\s*[=:]\s*["']?[0-9a-fA-F]{64}/.exec(text);
      if (signature !== null) found.push(`${where}: a signature (${signature[0].slice(0, 20)}…)`);
      return found;
    });
    expect(leaks).toEqual([]);
  });
});
