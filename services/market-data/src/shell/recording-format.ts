import { z } from 'zod';
import { EpochMs, VenueId } from '@bourse/contracts';

// The recording format: gzip-compressed NDJSON, one frame per line, in receive order. A file is
// written as `<name>-<UTC stamp>-<seq>.ndjson.gz.part` and renamed without `.part` once complete,
// so a reader (the backtester, a replay) only ever picks up whole files.

export const RecordedFrame = z.object({
  v: z.literal(1),
  /** When the gateway received the frame (ms since the epoch, its own clock). */
  receivedAt: EpochMs,
  venue: VenueId,
  /**
   * `raw`: the venue's text frame exactly as received (`data` is a string);
   * `event`: the adapter's decoded MarketDataEvent (`data` is that object), when the adapter offers no raw frames.
   */
  kind: z.enum(['raw', 'event']),
  data: z.unknown(),
});
export type RecordedFrame = z.infer<typeof RecordedFrame>;

export const RECORDING_SUFFIX = '.ndjson.gz';
export const PARTIAL_SUFFIX = '.part';

/** `binance-20250101T120000123Z-000001.ndjson.gz`: sorts by start time, then by sequence. */
export function recordingFileName(name: string, openedAt: number, seq: number): string {
  const stamp = new Date(openedAt).toISOString().replace(/[-:.]/g, '');
  return `${name}-${stamp}-${String(seq).padStart(6, '0')}${RECORDING_SUFFIX}`;
}
