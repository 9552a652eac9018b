import {
  CancelAllCommand,
  ClientOrderId,
  OperatorReply,
  tradingStateKey,
  type KillSwitchCancel,
  type TradingState,
  type TradingStateScope,
} from '@bourse/contracts';
import { z } from 'zod';
import type { Bus, TypedKv } from './types.js';

// The cancel half of an automatic kill switch (the risk gate's triggers, the reconciler's drift
// halt): the same `cmd.order-manager.cancel-all` request an operator's `bourse kill --cancel-all`
// sends, so the order manager journals and reconciles the cancels like an operator's; and the
// answer written onto the HALTED entry the trip wrote, so `bourse status` shows what it canceled.

/** The part of the order manager's cancel-all result a trip records (the rest is ignored). */
const CancelAllAnswer = z.object({
  canceled: z.array(ClientOrderId),
  failed: z.array(z.object({ clientOrderId: z.string(), reason: z.string() })),
});

/** Asks the order manager to cancel every open order of `scope`; never throws: a failure is in the answer. */
export async function requestTripCancel(
  bus: Bus,
  scope: TradingStateScope,
  requestedBy: string,
  now: () => number,
  timeoutMs: number,
): Promise<KillSwitchCancel> {
  const command: CancelAllCommand = { v: 1, command: 'cancel-all', requestedBy, requestedAt: now(), scope };
  try {
    const reply = await bus.request(
      bus.subjects.command('order-manager', 'cancel-all'),
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      command,
      { name: 'OperatorReply', schema: OperatorReply },
      { timeoutMs },
    );
    if (!reply.ok)
      return { ok: false, canceled: [], failed: [`${reply.error.code}: ${reply.error.message}`], at: now() };
    const answer = CancelAllAnswer.safeParse(reply.result);
    if (!answer.success)
      return { ok: false, canceled: [], failed: ['the order manager answered an unknown shape'], at: now() };
    const failed = answer.data.failed.map((f) => `${f.clientOrderId}: ${f.reason}`);
    return { ok: failed.length === 0, canceled: answer.data.canceled, failed, at: now() };
  } catch (err) {
    return { ok: false, canceled: [], failed: [err instanceof Error ? err.message : String(err)], at: now() };
  }
}

/**
 * Writes the cancel's answer onto the HALTED entry of `scope`, if it is still the one this trip
 * wrote (same trip time); a later write (an operator's resume, another halt) is left as it is.
 * Returns whether it wrote.
 */
export async function recordTripCancel(
  kv: TypedKv<TradingState>,
  scope: TradingStateScope,
  trippedAt: number,
  cancel: KillSwitchCancel,
): Promise<boolean> {
  const key = tradingStateKey(scope);
  const current = await kv.get(key);
  const trip = current?.value.trip;
  if (current === null || current.value.mode !== 'HALTED' || trip === undefined || trip.trippedAt !== trippedAt)
    return false;
  const canceled = `; canceled ${cancel.canceled.length} open order(s)${cancel.failed.length > 0 ? `, ${cancel.failed.length} failed` : ''}`;
  await kv.put(
    key,
    { ...current.value, reason: `${current.value.reason}${canceled}`, trip: { ...trip, cancel } },
    { expectedRevision: current.revision },
  );
  return true;
}
