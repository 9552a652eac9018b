import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { connectBus } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { isMarketDataError, readCapture, type RecordingCorruptError } from '@bourse/market-feed';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ReplayClock, replay, type ReplaySpeed, type ReplaySummary } from './replay.js';

// The shell of `bourse replay`: readCapture (the gateway's own decoder and pipeline) → the bus's core
// publish, on a real timer. Exit codes: 0 replayed, 1 a bad capture line stopped it (or the server
// failed), 2 usage (the command checks its flags before it gets here).

export interface RunReplayOptions {
  readonly paths: readonly string[];
  readonly speed: ReplaySpeed;
  readonly namespace: string;
  readonly natsUrl: string;
  /** A bad capture line: `stop` the replay there, or `skip` it (reported with its line number). */
  readonly badLines: 'stop' | 'skip';
  /** One line of progress or of a skipped line's report (stderr in the command). */
  readonly log: (line: string) => void;
  /** The command's answer (stdout): the summary. */
  readonly out: (line: string) => void;
  /** Told the replay clock once created, so an in-process consumer can run on capture time. */
  readonly onClock?: (clock: ReplayClock) => void;
  readonly progressEvery?: number;
}

export async function runReplay(options: RunReplayOptions): Promise<number> {
  const subjects = createSubjects(options.namespace);
  const bus = await connectBus({
    service: 'bourse-replay',
    subjects,
    // The command reports its own failures; the bus's own lines would repeat them.
    logger: pino({ base: { service: 'bourse-replay' }, level: 'error' }, pino.destination(2)),
    registry: new Registry(),
    servers: options.natsUrl,
  });
  const mono = { now: () => performance.now() };
  const clock = new ReplayClock(mono, options.speed);
  options.onClock?.(clock);
  let skipped = 0;
  const onMalformed = (err: RecordingCorruptError) => {
    skipped += 1;
    options.log(`replay: skipped ${err.path} line ${err.line}: ${err.message}`);
  };
  let summary: ReplaySummary;
  try {
    summary = await replay(readCapture(options.paths, { malformed: options.badLines, onMalformed }), {
      subjects,
      publish: (subject, contract, message) => bus.publish(subject, contract, message),
      clock,
      mono,
      wait: (ms) => delay(ms),
      progressEvery: options.progressEvery ?? 10_000,
      onProgress: (n, at) => options.log(`replay: ${n} events published, capture time ${new Date(at).toISOString()}`),
    });
    await bus.flush();
  } catch (err) {
    if (isMarketDataError(err)) {
      // A bad line with --bad-lines stop, or a file that is not a capture: say where, stop.
      options.log(`replay: stopped: ${err.message}`);
      await bus.drain();
      return 1;
    }
    await bus.drain();
    throw err;
  }
  await bus.drain();
  const k = summary.byKind;
  const span =
    summary.firstReceivedAt === undefined
      ? 'the capture holds no events'
      : `capture time ${new Date(summary.firstReceivedAt).toISOString()} to ${new Date(summary.lastReceivedAt!).toISOString()}`;
  options.out(
    `replayed ${summary.published} events (${k.quote} quotes, ${k.trade} trades, ${k.book} books, ${k.bookdelta} book deltas, ${k.status} feed statuses) on ${subjects.md.all()}; ${span}` +
      (skipped > 0 ? `; ${skipped} bad line(s) skipped` : ''),
  );
  return 0;
}
