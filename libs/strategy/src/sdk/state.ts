import { z } from 'zod';
import type { StrategyState } from '../types.js';

/** A strategy's own state is small on purpose: it is persisted and restored with the instance. */
export const MAX_STATE_KEYS = 64;
export const MAX_STATE_VALUE_LENGTH = 1024;

export const StrategyStateSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, {
      message: 'keys must be 1-64 characters of A-Za-z0-9_.:- starting with a letter',
    }),
    z.string().max(MAX_STATE_VALUE_LENGTH),
  )
  .refine((s) => Object.keys(s).length <= MAX_STATE_KEYS, { message: `holds at most ${MAX_STATE_KEYS} keys` });

/** A frozen copy, so neither the strategy nor the runner can change a state after the fact. */
export function freezeState(state: Record<string, string>): StrategyState {
  return Object.freeze({ ...state });
}
