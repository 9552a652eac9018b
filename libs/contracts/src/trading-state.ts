import { z } from 'zod';
import { ClientOrderId, EpochMs, TradingMode } from './primitives.js';
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

/** What tripped an automatic kill switch (an operator's `bourse kill` carries no trip). */
export const KillSwitchTrigger = z.enum(['daily-loss', 'rejection-burst', 'stale-feed', 'reconciliation-drift']);
export type KillSwitchTrigger = z.infer<typeof KillSwitchTrigger>;

/** What a trip does: stop new orders, or stop them and cancel every open order of the scope. */
export const KillSwitchAction = z.enum(['halt', 'halt-and-cancel']);
export type KillSwitchAction = z.infer<typeof KillSwitchAction>;

/** The order manager's answer to a trip's cancel-all (its `cmd.order-manager.cancel-all`). */
export const KillSwitchCancel = z.object({
  ok: z.boolean(),
  /** Orders the venue confirmed canceled. */
  canceled: z.array(ClientOrderId),
  /** Orders whose cancel failed, or the whole request's failure, in words. */
  failed: z.array(z.string().min(1)),
  at: EpochMs,
});
export type KillSwitchCancel = z.infer<typeof KillSwitchCancel>;

/** An automatic kill switch's trip, recorded on the HALTED entry it wrote. */
export const KillSwitchTrip = z.object({
  trigger: KillSwitchTrigger,
  action: KillSwitchAction,
  trippedAt: EpochMs,
  /** Present once the cancel-all of a `halt-and-cancel` trip has answered. */
  cancel: KillSwitchCancel.optional(),
});
export type KillSwitchTrip = z.infer<typeof KillSwitchTrip>;

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
  /** Set by an automatic kill switch: what tripped, its action and what it canceled. */
  trip: KillSwitchTrip.optional(),
});
export type TradingState = z.infer<typeof TradingState>;
