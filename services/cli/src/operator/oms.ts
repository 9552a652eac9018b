// Asking the order manager to cancel every live order of a scope (request/reply on
// cmd.order-manager.cancel-all). The reply is decoded with its contract (CancelExecutionReply): the
// orders a cancel was sent for, the ones skipped, and what the venue canceled or refused. A reply
// that does not match is a failed outcome whose error (CONTRACT_VIOLATION) names each bad field.
import {
  CancelAllCommand,
  CancelExecutionReply,
  isContractViolation,
  type CancelExecutionResult,
  type TradingStateScope,
} from '@bourse/contracts';
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
  readonly result?: CancelExecutionResult;
  /** Why it failed: the OMS's error, no responder, a timeout, a reply that breaks its contract. */
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
      { name: 'CancelExecutionReply', schema: CancelExecutionReply },
      { timeoutMs },
    );
    ctx.audit.info(
      { operator: ctx.operator, scope, ok: reply.ok },
      `operator ${ctx.operator} asked cancel-all for ${describeScope(scope)}`,
    );
    return reply.ok ? { ok: true, scope, result: reply.result } : { ok: false, scope, error: reply.error };
  } catch (err) {
    if (isContractViolation(err)) {
      // The order manager answered, but not with the contract's shape: what it did is not known.
      ctx.audit.warn({ operator: ctx.operator, scope, code: err.code }, `cancel-all reply invalid: ${err.message}`);
      return {
        ok: false,
        scope,
        error: { code: err.code, message: `the order manager's reply is not understood: ${err.message}` },
      };
    }
    const code = isBusError(err) ? err.code : 'REQUEST_FAILED';
    const hint =
      isBusError(err, BusErrorCode.NoResponders) || isBusError(err, BusErrorCode.RequestTimeout)
        ? ' (is the order manager running?)'
        : '';
    ctx.audit.warn({ operator: ctx.operator, scope, code }, `cancel-all for ${describeScope(scope)} failed`);
    return { ok: false, scope, error: { code, message: `${describe(err)}${hint}` } };
  }
}

export function formatCancelResult(outcome: CancelAllOutcome): string[] {
  const scope = describeScope(outcome.scope);
  if (!outcome.ok || outcome.result === undefined)
    return [`cancel-all ${scope} FAILED: ${outcome.error?.code}: ${outcome.error?.message}`];
  const { requested, skipped, failed } = outcome.result;
  const lines = [
    `cancel-all ${scope}: cancel sent for ${requested.length} order(s)${skipped.length ? `, ${skipped.length} skipped` : ''}${failed.length ? `, ${failed.length} not canceled` : ''}`,
  ];
  for (const o of requested) lines.push(`  ${o.clientOrderId}  ${o.strategyId}  ${o.instrument}  was ${o.status}`);
  for (const o of skipped) lines.push(`  ${o.clientOrderId}  skipped: ${o.reason}`);
  for (const o of failed) lines.push(`  ${o.clientOrderId}  not canceled: ${o.reason}`);
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
