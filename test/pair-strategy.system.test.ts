// The example pair strategy paper-trades on the platform as processes (issue 21 § 4, "done when": the
// pair strategy trades both legs on paper): examples/strategies/btc-eth-spread.ts, a user's file, named
// by `module:` in the platform config over BTC/USDT and ETH/USDT as one unit, run by the
// strategy-runner process `bourse start` starts (one lease `unit.spread`, one instance) until both legs
// have filled at the exchange simulator; the risk gate checks its total notional across the two
// instruments (maxTotalNotional in the limits) on the way.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Platform, ROOT } from './support/platform.js';

let platform: Platform;

/** Polls `probe` until it holds, or fails naming `what` (the platform's tables have no change feed). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  platform = await Platform.create({
    configure: (config) => {
      config.strategies = {
        list: [
          {
            module: join(ROOT, 'examples/strategies/btc-eth-spread.ts'),
            id: 'spread',
            version: '0.1.0',
            venue: 'binance',
            instruments: ['BTC/USDT', 'ETH/USDT'],
            // A short window and a low threshold: the sim's two independent random walks move the
            // spread past one standard deviation within seconds of 1-second bars.
            params: {
              period: 10,
              entryZ: 1,
              exitZ: 0.2,
              qtyA: '0.01',
              qtyB: '0.2',
              mode: 'long-short',
              timeframe: '1s',
            },
          },
        ],
      };
      const risk = config['risk'] as { limits: Record<string, unknown> };
      risk.limits['strategies'] = { spread: { maxTotalNotional: { USDT: '5000' } } };
    },
  });
  await platform.startAll();
}, 180_000);

afterAll(async () => {
  await platform?.close();
}, 120_000);

describe('the BTC/ETH spread example on the paper-trading platform', () => {
  it('fills on both legs, decided by one instance leased as one unit', async () => {
    const legsFilled = async () => {
      const { rows } = await platform.db.pool.query<{ instrument: string }>(
        "SELECT DISTINCT instrument FROM fills WHERE strategy_id = 'spread'",
      );
      return rows.length === 2;
    };
    await until('fills of the spread strategy on both legs, stored by the order manager', legsFilled, 150_000);
    const { rows } = await platform.db.pool.query<{ instrument: string; side: string }>(
      "SELECT instrument, side FROM fills WHERE strategy_id = 'spread' ORDER BY venue_time",
    );
    expect(new Set(rows.map((r) => r.instrument))).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));
    // The first entry is a pair of opposite sides: long the spread (BUY BTC, SELL ETH) or short it.
    const firstBtc = rows.find((r) => r.instrument === 'BTC/USDT')!;
    const firstEth = rows.find((r) => r.instrument === 'ETH/USDT')!;
    expect(firstBtc.side).not.toBe(firstEth.side);
    // One lease for the unit, none per leg: the runner's log names the unit it acquired.
    const acquired = platform
      .output('strategy-runner')
      .filter((line) => line.includes('"unit":"spread"') && line.includes('unit acquired'));
    expect(acquired).toHaveLength(1);
    expect(platform.output('strategy-runner').some((line) => line.includes('instrument acquired'))).toBe(false);
  }, 200_000);
});
