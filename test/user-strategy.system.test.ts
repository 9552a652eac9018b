// A user's own strategy paper-trades on the platform as processes (issue 21 §1, "done when"): a
// strategy file written into a folder outside the repository, named by `module:` in the platform
// config, run by the strategy-runner process that `bourse start` starts, until its order fills at the
// exchange simulator; beside it, an entry whose module imports node:fs is refused by the runner (logged
// and counted in its /metrics) without stopping it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Platform } from './support/platform.js';

const dir = mkdtempSync(join(tmpdir(), 'bourse-user-system-'));
let platform: Platform;

// Buys 0.01 BTC at market while flat with nothing in flight: a first decision made while trading is
// still HALTED (before the first reconciliation passes) is suppressed, and the next quote tries again.
const BUY_ONCE = `
import { z } from 'zod';
import { defineStrategy } from '@bourse/strategy';

export default defineStrategy({
  name: 'buy-once',
  version: '0.1.0',
  params: z.strictObject({ qty: z.string().default('0.01') }),
  timeframes: [],
  evaluation: { mode: 'event', throttleMs: 1000 },
  create(p) {
    return {
      onQuote(quote, ctx) {
        if (ctx.position(quote.instrument).qty !== '0' || ctx.openOrders(quote.instrument).length > 0) return [];
        return [{ instrument: quote.instrument, side: 'BUY', qty: p.qty, style: 'market', inputs: { ask: quote.askPrice } }];
      },
    };
  },
});
`;

/** Polls `probe` until it holds, or fails naming `what` (the platform's tables have no change feed). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  mkdirSync(join(dir, 'strategies'));
  writeFileSync(join(dir, 'strategies', 'buy-once.ts'), BUY_ONCE);
  writeFileSync(
    join(dir, 'strategies', 'leaky.ts'),
    `import { writeFileSync } from 'node:fs';\nvoid writeFileSync;\n${BUY_ONCE}`,
  );
  platform = await Platform.create({
    configure: (config) => {
      const entry = (module: string, id: string, instrument: string) => ({
        module: join(dir, 'strategies', module),
        id,
        version: '0.1.0',
        venue: 'binance',
        instruments: [instrument],
      });
      config.strategies = { list: [entry('buy-once.ts', 'mine', 'BTC/USDT'), entry('leaky.ts', 'leaky', 'ETH/USDT')] };
    },
  });
  await platform.startAll();
}, 180_000);

afterAll(async () => {
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("a user's strategy file on the paper-trading platform", () => {
  it('trades until its order fills, while the entry importing node:fs is refused and counted', async () => {
    const filled = async () => {
      const { rows } = await platform.db.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM fills WHERE strategy_id = 'mine' AND side = 'BUY'",
      );
      return Number(rows[0]?.n ?? 0) > 0;
    };
    await until("a fill of the user's strategy stored by the order manager", filled, 150_000);
    const { rows } = await platform.db.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM orders WHERE strategy_id = 'leaky'",
    );
    expect(Number(rows[0]?.n)).toBe(0);
    const metrics = await (await fetch(`${platform.plan.opsUrls['strategy-runner']}/metrics`)).text();
    expect(metrics).toMatch(
      /bourse_strategy_load_failures_total\{strategy="leaky",code="STRATEGY_IMPORT_FORBIDDEN"[^}]*\} 1\n/,
    );
  }, 200_000);
});
