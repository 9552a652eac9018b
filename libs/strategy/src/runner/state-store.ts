import { StrategyStateSchema, freezeState } from '../sdk/state.js';
import type { StrategyState } from '../types.js';
import { StoredStateError } from './errors.js';
import type { InstrumentRef, StrategyConfig } from './types.js';

// The port through which a strategy's own state (`ctx.state`) outlives its process: the runner core
// stays pure (it reports state changes in its output and takes restored states in addInstrument), the
// StateKeeper below orders and fences the writes, and a shell implements StrategyStateStore against a
// real server (the strategy runner: PostgreSQL). The indicators' warm-up is not stored: it is rebuilt
// from history.

/** One strategy instance's state: a strategy id on one instrument (the runner runs one instance per pair). */
export interface StateKey {
  readonly strategyId: string;
  readonly venue: string;
  /** Internal `BASE/QUOTE`. */
  readonly symbol: string;
}

/** Layout of a stored state; a record of another format is refused on load, never guessed at. */
export const STATE_FORMAT = 1;

/** A state as stored. `state` is whatever the store holds, checked on load (parseStoredState). */
export interface StoredState {
  readonly format: number;
  readonly state: unknown;
  /** Per key, one more for each change a holder writes; a write never replaces a higher one. */
  readonly seq: number;
  /** The strategy version that wrote it (recorded for people; any version may read a valid state). */
  readonly strategyVersion: string;
  /** Wall time of the write (the core's clock). */
  readonly savedAt: number;
}

/** The right to write a key, until someone claims it after us. */
export interface StateClaim {
  readonly key: StateKey;
  /** Fencing token: every claim of a key gets a higher one; a write under an older one is refused. */
  readonly generation: number;
  /** What was stored, or undefined when nothing was yet. */
  readonly stored: StoredState | undefined;
}

/** `fenced`: the key was claimed by someone after us. `stale`: a write with a seq as high is stored. */
export type SaveOutcome = 'saved' | 'fenced' | 'stale';

/**
 * Where states live. Both calls are atomic per key: `claim` raises the key's generation and returns
 * what is stored in one step (creating the key when missing); `save` writes only when the key's
 * generation is still the caller's and its seq is below the new one.
 */
export interface StrategyStateStore {
  claim(keys: readonly StateKey[], holder: string): Promise<StateClaim[]>;
  save(key: StateKey, generation: number, record: StoredState): Promise<SaveOutcome>;
}

/** A state change the core reports after an evaluation that changed it (live evaluations only). */
export interface StateChange {
  readonly strategyId: string;
  readonly strategyVersion: string;
  readonly ref: InstrumentRef;
  readonly state: StrategyState;
  readonly seq: number;
  readonly at: number;
}

/** What addInstrument gets for one strategy: the stored record, as read. */
export type RestoredStates = ReadonlyMap<string, StoredState>;

/** Checks a stored record before a strategy sees it; throws StoredStateError naming what is wrong. */
export function parseStoredState(strategy: StrategyConfig, ref: InstrumentRef, stored: StoredState): StrategyState {
  const where = { strategyId: strategy.id, venue: ref.venue, symbol: ref.symbol };
  if (stored.format !== STATE_FORMAT) {
    throw new StoredStateError(where, [`format ${String(stored.format)} is not ${STATE_FORMAT}`], stored.state);
  }
  const parsed = StrategyStateSchema.safeParse(stored.state);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
    throw new StoredStateError(where, issues, stored.state);
  }
  return freezeState(parsed.data);
}

export function stateKeyOf(strategyId: string, ref: InstrumentRef): StateKey {
  return { strategyId, venue: ref.venue, symbol: ref.symbol };
}

function keyText(key: StateKey): string {
  return `${key.strategyId}|${key.venue}|${key.symbol}`;
}

/** The outcome of one write as the shell sees it; `failed` carries the store's error. */
export type WriteResult =
  | { readonly outcome: SaveOutcome | 'not-claimed'; readonly change: StateChange }
  | { readonly outcome: 'failed'; readonly change: StateChange; readonly error: unknown };

/**
 * One holder's side of the state protocol. It claims the keys of an instrument when the instrument
 * becomes ours, then writes each change under that claim, one at a time per key and in the order the
 * core made them (so a slow write can never land after a later one). A holder that took the key after
 * us has a higher generation, and our late writes are refused (`fenced`) rather than overwrite its
 * state. No I/O of its own: everything goes through the injected store.
 */
export class StateKeeper {
  private readonly generations = new Map<string, number>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: StrategyStateStore,
    /** Names the holder in the store (replica and process session), for people reading it. */
    private readonly holder: string,
  ) {}

  /** Claims the states of every strategy trading `ref`; returns what was stored, by strategy id. */
  async claim(ref: InstrumentRef, strategies: readonly StrategyConfig[]): Promise<Map<string, StoredState>> {
    const keys = strategies.map((s) => stateKeyOf(s.id, ref));
    const claims = await this.store.claim(keys, this.holder);
    const stored = new Map<string, StoredState>();
    for (const c of claims) {
      this.generations.set(keyText(c.key), c.generation);
      if (c.stored !== undefined) stored.set(c.key.strategyId, c.stored);
    }
    return stored;
  }

  /** Writes a change after every earlier write of its key has finished. Never rejects. */
  save(change: StateChange): Promise<WriteResult> {
    const key = stateKeyOf(change.strategyId, change.ref);
    const text = keyText(key);
    const previous = this.chains.get(text) ?? Promise.resolve();
    const next = previous.then(async (): Promise<WriteResult> => {
      const generation = this.generations.get(text);
      if (generation === undefined) return { outcome: 'not-claimed', change };
      try {
        const outcome = await this.store.save(key, generation, {
          format: STATE_FORMAT,
          state: change.state,
          seq: change.seq,
          strategyVersion: change.strategyVersion,
          savedAt: change.at,
        });
        return { outcome, change };
      } catch (error) {
        return { outcome: 'failed', change, error };
      }
    });
    this.chains.set(text, next);
    return next;
  }

  /**
   * Waits for the writes of `ref`'s keys, then forgets their claims (the instrument is no longer ours);
   * only those of `strategyIds` when given (a unit's state is kept under its first leg, and the
   * instrument's own strategies may be held here too).
   */
  async release(ref: InstrumentRef, strategyIds?: readonly string[]): Promise<void> {
    const ours = (text: string) =>
      text.endsWith(`|${ref.venue}|${ref.symbol}`) &&
      (strategyIds === undefined || strategyIds.some((id) => text.startsWith(`${id}|`)));
    const mine = [...this.chains.entries()].filter(([text]) => ours(text));
    await Promise.all(mine.map(([, chain]) => chain));
    for (const [text] of mine) this.chains.delete(text);
    for (const text of [...this.generations.keys()]) {
      if (ours(text)) this.generations.delete(text);
    }
  }
}

/**
 * The store in memory, with the same rules as the PostgreSQL one (generation per claim, conditional
 * write). For the backtester and for tests of the core; it does not outlive the process.
 */
export class MemoryStateStore implements StrategyStateStore {
  private readonly rows = new Map<string, { generation: number; holder: string; stored: StoredState | undefined }>();

  claim(keys: readonly StateKey[], holder: string): Promise<StateClaim[]> {
    return Promise.resolve(
      keys.map((key) => {
        const text = keyText(key);
        const row = this.rows.get(text);
        const next = { generation: (row?.generation ?? 0) + 1, holder, stored: row?.stored };
        this.rows.set(text, next);
        return { key, generation: next.generation, stored: next.stored };
      }),
    );
  }

  save(key: StateKey, generation: number, record: StoredState): Promise<SaveOutcome> {
    const row = this.rows.get(keyText(key));
    if (row === undefined || row.generation !== generation) return Promise.resolve('fenced');
    if (row.stored !== undefined && row.stored.seq >= record.seq) return Promise.resolve('stale');
    row.stored = record;
    return Promise.resolve('saved');
  }

  /** What is stored for a key (tests). */
  peek(key: StateKey): StoredState | undefined {
    return this.rows.get(keyText(key))?.stored;
  }

  /** Puts a record as it would be found in a store (tests of a corrupt or foreign state). */
  put(key: StateKey, stored: StoredState): void {
    const row = this.rows.get(keyText(key));
    this.rows.set(keyText(key), { generation: row?.generation ?? 0, holder: row?.holder ?? '(put)', stored });
  }
}
