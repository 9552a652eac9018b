// Test helpers for packages that log through @bourse/telemetry (import from '@bourse/telemetry/testing').

import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';

export interface LogCapture {
  /** Pass as `createLogger({ destination })`. */
  readonly destination: DestinationStream;
  /** Everything written so far, exactly as it would reach stdout. */
  text(): string;
  /** Each line parsed as JSON. */
  entries(): Array<Record<string, unknown>>;
}

/** An in-memory log destination: the lines a logger wrote, for assertions. */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return {
    destination,
    text,
    entries: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
