import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { RecordingCorruptError } from '../errors.js';
import { RECORDING_SUFFIX, RecordedFrame } from './recording-format.js';

// Reads recordings back, frame by frame, for the backtester and replays. Streaming: memory is one
// line at a time whatever the file size.

/** Complete recording files in `dir` (no `.part`), oldest first. */
export async function listRecordings(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith(RECORDING_SUFFIX))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Yields every frame of a recording file, or of every complete file in a directory (oldest
 * first). Throws RecordingCorruptError naming the file and line for a line that is not a frame or
 * a file whose compressed data is cut short.
 */
export async function* readRecording(path: string): AsyncGenerator<RecordedFrame> {
  const files = (await stat(path)).isDirectory() ? await listRecordings(path) : [path];
  for (const file of files) yield* readFile(file);
}

async function* readFile(path: string): AsyncGenerator<RecordedFrame> {
  const source = createReadStream(path);
  const gunzip = createGunzip();
  // A read error reaches the line iterator through gunzip; a truncated file fails in gunzip itself.
  source.on('error', (err) => gunzip.destroy(err));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line === '') continue;
      yield parseLine(path, lineNo, line);
    }
  } catch (err) {
    if (err instanceof RecordingCorruptError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new RecordingCorruptError(path, lineNo + 1, `cannot read: ${message}`, { cause: err });
  } finally {
    lines.close();
    source.destroy();
  }
}

function parseLine(path: string, lineNo: number, line: string): RecordedFrame {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new RecordingCorruptError(path, lineNo, 'not JSON', { cause: err });
  }
  const frame = RecordedFrame.safeParse(json);
  if (!frame.success) {
    const issue = frame.error.issues[0];
    throw new RecordingCorruptError(
      path,
      lineNo,
      `not a recorded frame (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return frame.data;
}
