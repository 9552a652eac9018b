// Asking the order manager to cancel every live order of a scope (request/reply on
// cmd.order-manager.cancel-all). The reply is an OperatorReply; its result (the orders a cancel was
// sent for, and the ones skipped) is shown as the OMS gave it.
import { CancelAllCommand, OperatorReply, type TradingStateScope } from '@bourse/contracts';
import { BusErrorCode, isBusError } from '@bourse/bus';
import { audited, outcomeOfError } from './audit.js';
import type { OperatorContext } from './context.js';
import { describe } from './format.js';
import { describeScope } from './scope.js';

export const OMS_SERVICE = 'order-manager';

export interface CancelAllOutcome {
  readonly ok: boolean;
  readonly scope: TradingStateScope;
  /** The reply's result when ok. */
  readonly result?: unknown;
  /** Why it failed: the OMS's error, no responder, a timeout. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** Asks the order manager to cancel every live order of the scope, recorded in the audit log first. */
export function requestCancelAll(
  ctx: OperatorContext,
  scope: TradingStateScope,
  timeoutMs: number,
): Promise<CancelAllOutcome> {
  return audited(
    ctx,
    { action: 'cancel-all', target: describeScope(scope) },
    () => sendCancelAll(ctx, scope, timeoutMs),
    {
      // Cancelling only takes risk off: it goes ahead even when the audit log cannot be written.
      reducesRisk: true,
      outcomeOf: (o) =>
        o.ok
          ? { outcome: 'done' }
          : { outcome: outcomeOfError(o.error?.message), detail: `${o.error?.code}: ${o.error?.message}` },
    },
  );
}

async function sendCancelAll(
  ctx: OperatorContext,
  scope: TradingStateScope,
  timeoutMs: number,
): Promise<CancelAllOutcome> {
  const command: CancelAllCommand = {
    v: 1,
    command: 'cancel-all',
    requestedBy: ctx.operator,
    requestedAt: ctx.now(),
    scope,
  };
  const subject = ctx.subjects.command(OMS_SERVICE, 'cancel-all');
  try {
    const bus = await ctx.bus();
    const reply = await bus.request(
      subject,
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      command,
      { name: 'OperatorReply', schema: OperatorReply },
      { timeoutMs },
    );
    ctx.audit.info(
      { operator: ctx.operator, scope, ok: reply.ok },
      `operator ${ctx.operator} asked cancel-all for ${describeScope(scope)}`,
    );
    return reply.ok ? { ok: true, scope, result: reply.result } : { ok: false, scope, error: reply.error };
  } catch (err) {
    const code = isBusError(err) ? err.code : 'REQUEST_FAILED';
    const hint =
      isBusError(err, BusErrorCode.NoResponders) || isBusError(err, BusErrorCode.RequestTimeout)
        ? ' (is the order manager running?)'
        : '';
    ctx.audit.warn({ operator: ctx.operator, scope, code }, `cancel-all for ${describeScope(scope)} failed`);
    return { ok: false, scope, error: { code, message: `${describe(err)}${hint}` } };
  }
}

interface OrderRef {
  readonly clientOrderId?: unknown;
  readonly instrument?: unknown;
  readonly strategyId?: unknown;
  readonly status?: unknown;
  readonly reason?: unknown;
}

function listOf(result: unknown, key: string): OrderRef[] | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const value = (result as Record<string, unknown>)[key];
  return Array.isArray(value) ? (value as OrderRef[]) : undefined;
}

export function formatCancelResult(outcome: CancelAllOutcome): string[] {
  const scope = describeScope(outcome.scope);
  if (!outcome.ok) return [`cancel-all ${scope} FAILED: ${outcome.error?.code}: ${outcome.error?.message}`];
  const requested = listOf(outcome.result, 'requested');
  const skipped = listOf(outcome.result, 'skipped');
  if (requested === undefined) return [`cancel-all ${scope}: ${JSON.stringify(outcome.result)}`];
  const lines = [
    `cancel-all ${scope}: cancel sent for ${requested.length} order(s)${skipped?.length ? `, ${skipped.length} skipped` : ''}`,
  ];
  for (const o of requested)
    lines.push(
      `  ${String(o.clientOrderId)}  ${String(o.strategyId ?? '')}  ${String(o.instrument ?? '')}  was ${String(o.status ?? '')}`,
    );
  for (const o of skipped ?? []) lines.push(`  ${String(o.clientOrderId)}  skipped: ${String(o.reason ?? '')}`);
  return lines;
}

export interface CancelAllOptions {
  readonly scope: TradingStateScope;
  readonly json: boolean;
  readonly timeoutMs: number;
}

export async function runCancelAll(ctx: OperatorContext, options: CancelAllOptions): Promise<number> {
  const outcome = await requestCancelAll(ctx, options.scope, options.timeoutMs);
  if (options.json) ctx.out(JSON.stringify(outcome, null, 2));
  else for (const line of formatCancelResult(outcome)) ctx.out(line);
  return outcome.ok ? 0 : 1;
}
