import { z } from 'zod';
import { EpochMs, VenueId } from '@bourse/contracts';
import { randomUUID } from 'node:crypto';
import { InstrumentSpecJson, instrumentToJson, type InstrumentSpec } from '@bourse/domain';
import type { RawMarketFrame } from '@bourse/venues';

// The capture format: gzip-compressed NDJSON of the venue's raw frames, in receive order. A file is
// written as `<venue>-<UTC stamp>-<seq>.ndjson.gz.part` and renamed without `.part` once complete,
// so a reader (replay, the backtester) only ever picks up whole files.
//
// Line 1 of every file is a CaptureHeader: what a reader needs to decode the rest offline (the
// adapter, its book depth, the instruments' specs). Every other line is one CaptureLine:
//   {"t":1732530001234,"conn":3,"frame":"{\"stream\":\"btcusdt@trade\",…}"}     a WS text frame
//   {"t":1732530001300,"conn":"rest","depth":"BTCUSDT","frame":"{\"lastUpdateId\":…}"}  a REST depth snapshot
//   {"t":1732530002000,"conn":"ws","state":"reconnecting","reason":"closed 1006"}   a connection change
// `t` is the gateway's receive time (ms since the epoch), `conn` the stream connection's number.

export const CAPTURE_FORMAT = 'bourse-md-capture';

export const CaptureHeader = z.strictObject({
  format: z.literal(CAPTURE_FORMAT),
  v: z.literal(1),
  venue: VenueId,
  /** Whose raw frames these are; picks the decoder. */
  adapter: z.literal('binance'),
  /** Levels per side of the BookSnapshots the live feed emitted. */
  bookLevels: z.number().int().positive(),
  /** Random per gateway start: files of one session continue each other's decoder state. */
  session: z.string().min(1),
  /** The file's number within its session (1, 2, …). */
  seq: z.number().int().positive(),
  openedAt: EpochMs,
  instruments: z.array(InstrumentSpecJson).min(1),
});
export type CaptureHeader = z.infer<typeof CaptureHeader>;

const WsFrameLine = z.strictObject({ t: EpochMs, conn: z.number().int().positive(), frame: z.string() });
const DepthLine = z.strictObject({ t: EpochMs, conn: z.literal('rest'), depth: z.string().min(1), frame: z.string() });
const ConnectionLine = z.strictObject({
  t: EpochMs,
  conn: z.literal('ws'),
  state: z.enum(['connecting', 'open', 'reconnecting', 'closed']),
  reason: z.string(),
});

export const CaptureLine = z.union([WsFrameLine, DepthLine, ConnectionLine]);
export type CaptureLine = z.infer<typeof CaptureLine>;

/**
 * The recorder's `header` option for one gateway session: every file it writes starts with the
 * same venue, adapter settings and instrument specs, a session id, and the file's own number.
 */
export function captureHeaders(options: {
  venue: string;
  bookLevels: number;
  instruments: readonly InstrumentSpec[];
  session?: string;
}): (file: { seq: number; openedAt: number }) => CaptureHeader {
  const session = options.session ?? randomUUID();
  const instruments = options.instruments.map((spec) => instrumentToJson(spec));
  return ({ seq, openedAt }) =>
    CaptureHeader.parse({
      format: CAPTURE_FORMAT,
      v: 1,
      venue: options.venue,
      adapter: 'binance',
      bookLevels: options.bookLevels,
      session,
      seq,
      openedAt,
      instruments,
    });
}

/** The line a raw frame is stored as. */
export function toCaptureLine(frame: RawMarketFrame): CaptureLine {
  switch (frame.kind) {
    case 'frame':
      return { t: frame.receivedAt, conn: frame.connection, frame: frame.text };
    case 'depth-snapshot':
      return { t: frame.receivedAt, conn: 'rest', depth: frame.venueSymbol, frame: frame.text };
    case 'connection':
      return { t: frame.receivedAt, conn: 'ws', state: frame.state, reason: frame.reason };
  }
}

/** The raw frame a line holds. */
export function fromCaptureLine(line: CaptureLine): RawMarketFrame {
  if (line.conn === 'rest') {
    return { kind: 'depth-snapshot', receivedAt: line.t, venueSymbol: line.depth, text: line.frame };
  }
  if (line.conn === 'ws') return { kind: 'connection', receivedAt: line.t, state: line.state, reason: line.reason };
  return { kind: 'frame', receivedAt: line.t, connection: line.conn, text: line.frame };
}

export const RECORDING_SUFFIX = '.ndjson.gz';
export const PARTIAL_SUFFIX = '.part';

/** `binance-20250101T120000123Z-000001.ndjson.gz`: sorts by start time, then by sequence. */
export function recordingFileName(name: string, openedAt: number, seq: number): string {
  const stamp = new Date(openedAt).toISOString().replace(/[-:.]/g, '');
  return `${name}-${stamp}-${String(seq).padStart(6, '0')}${RECORDING_SUFFIX}`;
}
