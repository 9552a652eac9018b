import { z } from 'zod';
import { EpochMs, TradingMode } from './primitives.js';
import { SUBJECT_TOKEN_PATTERN } from './subjects.js';

const token = (what: string) =>
  z.string().regex(SUBJECT_TOKEN_PATTERN, { message: `${what} must be a subject token (no ".", "*", ">" or space)` });

/**
 * Which part of trading a state applies to; the same shape as `TradingStateScope` in subjects.ts, which
 * turns it into a KV key. `symbol` is the subject-token symbol (the venue symbol, `BTCUSDT`).
 */
export const TradingStateScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('global') }),
  z.object({ kind: z.literal('instrument'), symbol: token('symbol') }),
  z.object({ kind: z.literal('strategy'), strategyId: token('strategyId') }),
]);
export type TradingStateScope = z.infer<typeof TradingStateScope>;

/**
 * One entry of the trading-state KV bucket. Risk gate and OMS refuse new exposure unless the global,
 * instrument and strategy entries that apply are all ACTIVE.
 */
export const TradingState = z.object({
  v: z.literal(1),
  scope: TradingStateScope,
  mode: TradingMode,
  reason: z.string().min(1),
  /** Who set it: an operator name or a service (`reconciler`). */
  setBy: z.string().min(1),
  updatedAt: EpochMs,
});
export type TradingState = z.infer<typeof TradingState>;
