import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Intent } from '@bourse/contracts';
import { loadStrategy } from '@bourse/strategy/loader';
import { readCapture } from '@bourse/market-feed';
import { captureTicks, runTickBacktest } from '@bourse/backtest';
import { type ReplayClock, runReplay } from '@bourse/cli';
import { BTC, NATS_URL, frames, openNamespace, writeCapture, type FrameAt, type Namespace } from '@bourse/cli/testing';
import { startPaperRunner, type PaperRunner } from '@bourse/strategy-runner/testing';

// The same strategy on the same capture decides the same way in a backtest and in a paper run fed by
// replay: (a) capture → ticks → runTickBacktest (the runner core on a virtual clock); (b) `bourse
// replay` at 1x → NATS → a StrategyRunner in-process (trading ACTIVE in the KV, an ok reconciliation
// on RECON) publishing to INTENTS. Compared: every intent's side, qty, style, signal and bar, and its
// decision time (createdAt) within DECISION_TOLERANCE_MS (libs/backtest/README.md says why).
//
// The paper run has no OMS or venue, so no intent ever fills there; the backtest is given a latency
// longer than the capture so none of its orders reaches the venue either, and both runs stay flat:
// sma-cross's intents depend on the position, and a comparison of decisions needs the same one.

const DECISION_TOLERANCE_MS = 500;
const SMA_CROSS = { fast: 2, slow: 3, timeframe: '1s', sizing: { kind: 'qty', qty: '0.01' }, mode: 'long-short' };
// One close per one-second bar: crosses up at bars 4 and 9, down at bars 6 and 11 (fast 2, slow 3).
const CLOSES = ['10', '9', '8', '7', '12', '13', '8', '6', '5', '9', '12', '4'];

let dir: string;
let ns: Namespace;
let paper: PaperRunner;
let replayClock: ReplayClock | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bourse-replay-vs-bt-'));
  ns = await openNamespace({ trading: true });
  // The runner runs on the replay's clock once replay starts (capture time as replayed), the wall
  // clock before: the capture below is dated from now, so the two meet.
  paper = await startPaperRunner(
    ns,
    `
strategies:
  - name: sma-cross
    id: cmp
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT]
    params: ${JSON.stringify(SMA_CROSS)}
`,
    { now: () => (replayClock?.started === true ? replayClock.now() : Date.now()) },
    [BTC],
  );
}, 30_000);

afterAll(async () => {
  await paper?.stop();
  await ns?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The capture: per bar a trade at its open, a quote, a trade at the close; a quote after the last bar. */
function captureLines(t0: number): FrameAt[] {
  const lines: FrameAt[] = [];
  let id = 1;
  CLOSES.forEach((close, i) => {
    const w = t0 + i * 1000;
    lines.push({ t: w + 5, frame: frames.trade(id++, close, '1', w) });
    lines.push({ t: w + 300, frame: frames.quote(1000 + i, `${Number(close) - 0.01}`, `${Number(close) + 0.01}`) });
    lines.push({ t: w + 605, frame: frames.trade(id++, close, '1', w + 600) });
  });
  // After the last window's end: the backtest's clock passes it (the live runner's timer does too).
  lines.push({ t: t0 + CLOSES.length * 1000 + 200, frame: frames.quote(2000, '3.99', '4.01') });
  return lines;
}

const decision = (i: Intent) => ({
  side: i.side,
  qty: i.qty,
  style: i.style,
  instrument: i.instrument,
  signal: i.inputs['signal'],
  barTime: i.inputs['barTime'],
});

describe('a backtest and a paper run fed by replay', () => {
  it('emit the same intents from the same capture, decided at the same time within the tolerance', async () => {
    const t0 = Math.ceil((Date.now() + 1000) / 1000) * 1000;
    const capture = join(dir, 'binance-cmp.ndjson.gz');
    await writeCapture(capture, t0, captureLines(t0));

    // (a) the backtest
    const backtested: Intent[] = [];
    await runTickBacktest(
      {
        // The same loader as the paper runner's (startPaperRunner loads its strategies file with it).
        strategy: (await loadStrategy({ kind: 'builtin', name: 'sma-cross' })).definition,
        params: SMA_CROSS,
        symbol: 'BTC/USDT',
        cash: '10000',
        execution: { latencyMs: 3_600_000, tick: '0.01', lot: '0.00001' },
        longShort: true,
        barMs: 1000,
        onIntent: (intent) => backtested.push(intent),
      },
      captureTicks(readCapture(capture), 'BTC/USDT'),
    );
    // Bars 4, 6, 9 and 11 (opening at t0 + i s), each decided at its close: the virtual clock stops
    // at the runner's wake-up for the window's end, where the live runner's timer fires.
    expect(backtested.map((i) => `${i.side}@${Number(i.inputs['barTime']) - t0}/${i.createdAt - t0}`)).toEqual([
      'BUY@4000/5000',
      'SELL@6000/7000',
      'BUY@9000/10000',
      'SELL@11000/12000',
    ]);

    // (b) replay at real speed to the running paper runner
    const code = await runReplay({
      paths: [capture],
      speed: 1,
      namespace: ns.subjects.prefix,
      natsUrl: NATS_URL,
      badLines: 'stop',
      log: () => undefined,
      out: () => undefined,
      onClock: (clock) => {
        replayClock = clock;
      },
    });
    expect(code).toBe(0);
    const published = () =>
      paper.events.flatMap((e) => (e.type === 'published' && e.intent.strategyId === 'cmp' ? [e.intent] : []));
    await paper.waitFor(() => published().length >= backtested.length, 10_000, 'the paper run to publish 4 intents');
    const live = published();

    expect(live.map(decision)).toEqual(backtested.map(decision));
    for (const [i, intent] of live.entries()) {
      const lag = intent.createdAt - backtested[i]!.createdAt;
      expect(Math.abs(lag), `intent ${i} decided ${lag} ms apart`).toBeLessThanOrEqual(DECISION_TOLERANCE_MS);
    }
  }, 60_000);
});
