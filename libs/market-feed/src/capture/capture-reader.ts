import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { instrumentFromJson } from '@bourse/domain';
import { BinanceReplayDecoder } from '@bourse/venue-binance';
import { FeedPipeline } from '../feed-pipeline.js';
import { RecordingCorruptError } from '../errors.js';
import type { NormalisedMessage } from '../types.js';
import { CaptureHeader, CaptureLine, RECORDING_SUFFIX, fromCaptureLine } from './recording-format.js';

// Reads captures back for replay and the backtester. Streaming: memory is one line (plus the
// decoder's order books) whatever the file size. Each raw frame goes through the live feed's own
// decoder (BinanceReplayDecoder) and the gateway's own pipeline (FeedPipeline), so a replay yields
// the messages the gateway published, with the receive times it saw.

/** One message the gateway published live, and when it received what caused it. */
export interface CapturedEvent {
  /** The gateway's receive time of the frame (ms since the epoch): drive a virtual clock with it. */
  readonly receivedAt: number;
  /** The normalised contract message, addressed as on md.<venue>.<SYMBOL>.<kind>. */
  readonly event: NormalisedMessage;
}

export interface ReadCaptureOptions {
  /**
   * A line that is not valid (not JSON, not a capture line, no header before it, a truncated
   * file): `stop` (default) throws RecordingCorruptError naming the file and line; `skip` reports
   * it to `onMalformed` and goes on (a truncated file: with the next file).
   */
  readonly malformed?: 'stop' | 'skip';
  readonly onMalformed?: (error: RecordingCorruptError) => void;
  /**
   * Yield FeedStatus `stale` when no data arrived for this long (judged at each line's time, so it
   * comes with the next line rather than on a timer). Default: off — a capture's silences are not judged.
   */
  readonly staleAfterMs?: number;
}

/** Complete capture files in `dir` (no `.part`), oldest first. */
export async function listRecordings(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith(RECORDING_SUFFIX))
    .sort()
    .map((n) => join(dir, n));
}

/** One line of a capture file as read: a header, a raw-frame line, or why it is neither. */
export type CaptureEntry =
  | { readonly kind: 'header'; readonly file: string; readonly line: number; readonly header: CaptureHeader }
  | { readonly kind: 'line'; readonly file: string; readonly line: number; readonly value: CaptureLine }
  | { readonly kind: 'bad'; readonly error: RecordingCorruptError };

/**
 * Every line of the captures at `paths` (files, or directories: their complete files, oldest
 * first), undecoded. Problems come as `bad` entries; the caller decides.
 */
export async function* readCaptureLines(paths: string | readonly string[]): AsyncGenerator<CaptureEntry> {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const files = (await stat(path)).isDirectory() ? await listRecordings(path) : [path];
    for (const file of files) yield* readFile(file);
  }
}

async function* readFile(path: string): AsyncGenerator<CaptureEntry> {
  const source = createReadStream(path);
  const gunzip = createGunzip();
  // A read error reaches the line iterator through gunzip; a truncated file fails in gunzip itself.
  source.on('error', (err) => gunzip.destroy(err));
  // The reader learns of a gunzip error through the line iterator; once it has stopped early (a bad
  // line under `stop`), nothing listens, and a truncated file's late error would be uncaught.
  gunzip.on('error', () => {});
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo += 1;
      if (text === '') continue;
      yield parseLine(path, lineNo, text);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    yield {
      kind: 'bad',
      error: new RecordingCorruptError(path, lineNo + 1, `cannot read: ${message}`, { cause: err }),
    };
  } finally {
    lines.close();
    source.destroy();
    gunzip.destroy();
  }
}

function parseLine(file: string, line: number, text: string): CaptureEntry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { kind: 'bad', error: new RecordingCorruptError(file, line, 'not JSON', { cause: err }) };
  }
  if (line === 1) {
    const header = CaptureHeader.safeParse(json);
    if (header.success) return { kind: 'header', file, line, header: header.data };
    return {
      kind: 'bad',
      error: new RecordingCorruptError(file, line, `not a capture header (${firstIssue(header.error)})`),
    };
  }
  const parsed = CaptureLine.safeParse(json);
  if (parsed.success) return { kind: 'line', file, line, value: parsed.data };
  return {
    kind: 'bad',
    error: new RecordingCorruptError(file, line, `not a capture line (${firstIssue(parsed.error)})`),
  };
}

function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
}

interface Session {
  readonly id: string;
  readonly decoder: BinanceReplayDecoder;
  readonly pipeline: FeedPipeline;
}

function openSession(header: CaptureHeader, staleAfterMs: number | undefined): Session {
  const specs = header.instruments.map((i) => instrumentFromJson(i));
  return {
    id: header.session,
    decoder: new BinanceReplayDecoder({ venue: header.venue, instruments: specs, bookLevels: header.bookLevels }),
    pipeline: new FeedPipeline({
      venue: header.venue,
      instruments: specs.map((s) => ({ instrument: s.symbol, venueSymbol: s.venueSymbol })),
      // Off unless asked: `check` is then never called.
      staleAfterMs: staleAfterMs ?? Number.MAX_SAFE_INTEGER,
      startedAt: header.openedAt,
    }),
  };
}

/**
 * Replays captures: yields `{ receivedAt, event }` for every message the gateway published live,
 * in order. `paths`: a file, a directory (its complete files, oldest first) or a list of either.
 * Files of one gateway session continue each other (books, duplicate filters, feed states); a file
 * of another session starts afresh, as the gateway did when it restarted.
 */
export async function* readCapture(
  paths: string | readonly string[],
  options: ReadCaptureOptions = {},
): AsyncGenerator<CapturedEvent> {
  const fail = (error: RecordingCorruptError): void => {
    if (options.malformed !== 'skip') throw error;
    options.onMalformed?.(error);
  };
  let session: Session | undefined;
  for await (const entry of readCaptureLines(paths)) {
    if (entry.kind === 'bad') {
      fail(entry.error);
      continue;
    }
    if (entry.kind === 'header') {
      if (session?.id !== entry.header.session) session = openSession(entry.header, options.staleAfterMs);
      continue;
    }
    if (session === undefined) {
      fail(new RecordingCorruptError(entry.file, entry.line, 'no capture header before this line'));
      continue;
    }
    const frame = fromCaptureLine(entry.value);
    let decoded;
    try {
      decoded = session.decoder.decode(frame);
    } catch (err) {
      fail(
        new RecordingCorruptError(entry.file, entry.line, err instanceof Error ? err.message : String(err), {
          cause: err,
        }),
      );
      continue;
    }
    const t = frame.receivedAt;
    const steps = options.staleAfterMs !== undefined ? session.pipeline.check(t) : [];
    for (const event of decoded) steps.push(...session.pipeline.onEvent(event));
    for (const step of steps) {
      if (step.type === 'message') yield { receivedAt: t, event: step.message };
      else if (step.type === 'transition')
        yield { receivedAt: t, event: session.pipeline.statusMessage(step.transition) };
      // A rejected event was not published live either.
    }
  }
}
