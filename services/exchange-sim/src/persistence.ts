// Durable state: accounts, orders and trades (the engine snapshot) plus the sim's own counters,
// written atomically (temp file + rename) so a crash mid-save never leaves a torn file.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { EngineSnapshot } from '@bourse/matching';
import type { VenueSnapshot } from './venue.js';

export const STATE_VERSION = 1;

const StateFile = z.object({
  version: z.literal(STATE_VERSION),
  savedAt: z.number().int(),
  venue: z.object({
    engine: z
      .object({ version: z.literal(1), symbols: z.array(z.unknown()), accounts: z.array(z.unknown()) })
      .passthrough(),
    aggTradeIds: z.record(z.string(), z.number().int()),
  }),
});

export interface SimState {
  readonly version: typeof STATE_VERSION;
  readonly savedAt: number;
  readonly venue: VenueSnapshot;
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  readonly code = 'STATE_FILE_INVALID';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function saveState(file: string, state: SimState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), 'utf8');
  await rename(tmp, file);
}

/** The saved state, or undefined when the file does not exist yet. */
export async function loadState(file: string): Promise<SimState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot read state file ${file}: ${String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, `state file ${file} is not JSON`, { cause: err });
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    throw new StateFileError(
      file,
      `state file ${file} is not a sim state (version ${STATE_VERSION}): ${parsed.error.issues[0]?.message ?? ''}`,
      {
        cause: parsed.error,
      },
    );
  }
  return {
    version: STATE_VERSION,
    savedAt: parsed.data.savedAt,
    venue: {
      engine: parsed.data.venue.engine as unknown as EngineSnapshot,
      aggTradeIds: parsed.data.venue.aggTradeIds,
    },
  };
}
