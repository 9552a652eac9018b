// `bourse book-transfer`: the operator books a balance change found at the venue that no user-data
// event reported (a deposit the stream lost, a withdrawal made on the venue's website). The order
// manager, the one writer of balances, books it on cmd.order-manager.book-transfer as a balance
// transfer at the act's time; the reconciler then counts it as holdings outside positions, so the
// drift it halted on is explained. Recorded in the audit log before it is sent, then its outcome.
import {
  BookTransferCommand,
  BookTransferReply,
  isContractViolation,
  type BookTransferResult,
} from '@bourse/contracts';
import { BusErrorCode, isBusError } from '@bourse/bus';
import { audited, outcomeOfError, type ActionOutcome } from './audit.js';
import type { OperatorContext } from './context.js';
import { describe, formatJson } from './format.js';
import { OMS_SERVICE } from './oms.js';

export interface BookTransferOptions {
  /** An asset code such as USDT (checked by the flag parser). */
  readonly asset: string;
  /** Signed decimal: positive in, negative out (checked by the flag parser). */
  readonly delta: string;
  readonly reason: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

export interface BookTransferOutcome {
  /** True when the order manager answered with an outcome (booked, duplicate or refused). */
  readonly ok: boolean;
  readonly asset: string;
  readonly delta: string;
  readonly result?: BookTransferResult;
  /** Why nothing is known to have been booked: the OMS's error, no responder, a timeout, a bad reply. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the audit log records of the outcome. */
function auditOutcome(o: BookTransferOutcome): { outcome: ActionOutcome; detail?: string } {
  if (!o.ok || o.result === undefined)
    return { outcome: outcomeOfError(o.error?.message), detail: `${o.error?.code}: ${o.error?.message}` };
  const { outcome, free, asset } = o.result;
  if (outcome === 'refused') return { outcome: 'refused', detail: `stored free ${free} ${asset} cannot pay it` };
  if (outcome === 'duplicate') return { outcome: 'done', detail: 'duplicate: booked before' };
  return { outcome: 'done', detail: `booked: stored free ${free} ${asset}` };
}

/** Asks the order manager to book the transfer, recorded in the audit log first (no record, no booking). */
export function requestBookTransfer(ctx: OperatorContext, options: BookTransferOptions): Promise<BookTransferOutcome> {
  // The act's time is the transfer's time in the books: the same request sent again is a duplicate.
  const command: BookTransferCommand = {
    v: 1,
    command: 'book-transfer',
    requestedBy: ctx.operator,
    requestedAt: ctx.now(),
    asset: options.asset,
    delta: options.delta,
    reason: options.reason,
  };
  return audited(
    ctx,
    {
      action: 'book-transfer',
      target: `asset ${options.asset}`,
      reason: options.reason,
      detail: { asset: options.asset, delta: options.delta },
    },
    () => sendBookTransfer(ctx, command, options.timeoutMs),
    { outcomeOf: auditOutcome },
  );
}

async function sendBookTransfer(
  ctx: OperatorContext,
  command: BookTransferCommand,
  timeoutMs: number,
): Promise<BookTransferOutcome> {
  const { asset, delta } = command;
  const log = { operator: ctx.operator, asset, delta };
  try {
    const bus = await ctx.bus();
    const reply = await bus.request(
      ctx.subjects.command(OMS_SERVICE, 'book-transfer'),
      { name: 'BookTransferCommand', schema: BookTransferCommand },
      command,
      { name: 'BookTransferReply', schema: BookTransferReply },
      { timeoutMs },
    );
    ctx.audit.info(
      { ...log, ok: reply.ok, outcome: reply.ok ? reply.result.outcome : reply.error.code },
      `operator ${ctx.operator} asked to book a transfer of ${delta} ${asset}`,
    );
    return reply.ok
      ? { ok: true, asset, delta, result: reply.result }
      : { ok: false, asset, delta, error: reply.error };
  } catch (err) {
    if (isContractViolation(err)) {
      // The order manager answered, but not with the contract's shape: whether it booked is not known.
      ctx.audit.warn({ ...log, code: err.code }, `book-transfer reply invalid: ${err.message}`);
      return {
        ok: false,
        asset,
        delta,
        error: { code: err.code, message: `the order manager's reply is not understood: ${err.message}` },
      };
    }
    const code = isBusError(err) ? err.code : 'REQUEST_FAILED';
    const hint =
      isBusError(err, BusErrorCode.NoResponders) || isBusError(err, BusErrorCode.RequestTimeout)
        ? ' (is the order manager running?)'
        : '';
    ctx.audit.warn({ ...log, code }, `book-transfer of ${delta} ${asset} failed`);
    return { ok: false, asset, delta, error: { code, message: `${describe(err)}${hint}` } };
  }
}

export function formatBookTransfer(o: BookTransferOutcome): string {
  const what = `book-transfer ${o.delta} ${o.asset}`;
  if (!o.ok || o.result === undefined) return `${what} FAILED: ${o.error?.code}: ${o.error?.message}`;
  const { outcome, free } = o.result;
  if (outcome === 'booked') return `${what}: booked; stored free ${o.asset} is now ${free}`;
  if (outcome === 'duplicate') return `${what}: already booked by the same act; nothing changed`;
  return `${what} REFUSED: the stored free balance ${free} ${o.asset} cannot pay it; nothing booked`;
}

/** Exit 0 when booked (or booked before), 1 when refused or when it failed. */
export async function runBookTransfer(ctx: OperatorContext, options: BookTransferOptions): Promise<number> {
  const outcome = await requestBookTransfer(ctx, options);
  if (options.json) ctx.out(formatJson(outcome));
  else ctx.out(formatBookTransfer(outcome));
  return outcome.ok && outcome.result?.outcome !== 'refused' ? 0 : 1;
}
