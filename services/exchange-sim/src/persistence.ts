// Durable state: accounts, orders and trades (the engine snapshot) plus the sim's own counters,
// written atomically (temp file + rename) so a crash mid-save never leaves a torn file.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

/**
 * Beside the state file while a sim runs on it: which process, since when, and when it last saved.
 * A clean stop saves and removes it; finding it at start means the last run ended without saving
 * (kill -9, a crash, power loss), so the state on disk is older than what that run did.
 */
export interface RunMarker {
  readonly pid: number;
  readonly startedAt: number;
  readonly lastSavedAt: number | null;
}

const RunMarkerFile = z.object({
  pid: z.number().int(),
  startedAt: z.number().int(),
  lastSavedAt: z.number().int().nullable(),
});

export function runMarkerPath(stateFile: string): string {
  return `${stateFile}.running`;
}

export async function writeRunMarker(stateFile: string, marker: RunMarker): Promise<void> {
  const file = runMarkerPath(stateFile);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(marker), 'utf8');
  await rename(tmp, file);
}

/** The marker a previous run left, or undefined; an unreadable one counts as left by a run that did not stop cleanly. */
export async function readRunMarker(stateFile: string): Promise<RunMarker | undefined> {
  let text: string;
  try {
    text = await readFile(runMarkerPath(stateFile), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(runMarkerPath(stateFile), `cannot read ${runMarkerPath(stateFile)}: ${String(err)}`, {
      cause: err,
    });
  }
  try {
    return RunMarkerFile.parse(JSON.parse(text));
  } catch {
    return { pid: 0, startedAt: 0, lastSavedAt: null };
  }
}

export async function removeRunMarker(stateFile: string): Promise<void> {
  await rm(runMarkerPath(stateFile), { force: true });
}

/** Whether a process with this id runs (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a start found on disk, for the start-up log and GET /admin/status. */
export interface StateReport {
  readonly stateFile: string;
  /** When the state the sim started from was saved; null when it started empty. */
  readonly restoredFrom: number | null;
  /** Set when the previous run on this file ended without saving: its state is older than what it did. */
  readonly previousRunUnsaved: {
    readonly pid: number;
    readonly startedAt: number;
    readonly lastSavedAt: number | null;
  } | null;
  /** Set when another live process holds the file (two sims on one state file overwrite each other). */
  readonly heldByLiveProcess: number | null;
}

/** The lines a start logs about a state older than the previous run's end, saying what to do. */
export function describeStaleState(report: StateReport): string[] {
  const lines: string[] = [];
  if (report.heldByLiveProcess !== null) {
    lines.push(
      `WARNING: ${report.stateFile} is in use by another running sim (pid ${report.heldByLiveProcess}); ` +
        `both will overwrite it. Stop one, or give this one its own --state-file.`,
    );
  }
  const previous = report.previousRunUnsaved;
  if (previous === null) return lines;
  const at = (t: number | null): string => (t === null || t === 0 ? 'unknown' : new Date(t).toISOString());
  const from = report.restoredFrom === null ? 'nothing (no state was ever saved)' : at(report.restoredFrom);
  lines.push(
    `WARNING: the previous sim on ${report.stateFile} (pid ${previous.pid || 'unknown'}, started ${at(previous.startedAt)}) ` +
      `stopped without saving (killed or crashed). The venue restarts from the state saved at ${from}: ` +
      `orders, fills and balance changes after that are gone from the venue, while the platform's order manager ` +
      `may have recorded them, so the reconciler will report drift and halt trading.`,
    `What to do: to start both sides afresh, stop the platform, delete ${report.stateFile} and the platform's ` +
      `database, then start again; to go on with this venue state, run \`bourse recon\` to see the difference, ` +
      `and \`bourse resume --reason <why>\` once you accept it. Stop the sim with SIGTERM/SIGINT/SIGHUP ` +
      `(Ctrl-C, \`kill\`), not kill -9, so it saves.`,
  );
  return lines;
}
