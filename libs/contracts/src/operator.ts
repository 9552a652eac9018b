import { z } from 'zod';
import { ClientOrderId, EpochMs } from './primitives.js';
import { TradingStateScope } from './trading-state.js';

// Operator commands travel request/reply over core NATS on `cmd.<service>.<command>`
// (Subjects.command). Every reply is an OperatorReply: ok with a result, or an error with a code.

const commandBase = {
  v: z.literal(1),
  /** The operator (or automation) that asked; recorded with the state it changes. */
  requestedBy: z.string().min(1),
  requestedAt: EpochMs,
};

/** Halt trading in a scope (writes HALTED), optionally cancelling every open order in it. */
export const KillCommand = z.object({
  ...commandBase,
  command: z.literal('kill'),
  scope: TradingStateScope,
  cancelAll: z.boolean(),
  reason: z.string().min(1),
});
export type KillCommand = z.infer<typeof KillCommand>;

/** Set a scope back to ACTIVE. */
export const ResumeCommand = z.object({
  ...commandBase,
  command: z.literal('resume'),
  scope: TradingStateScope,
  reason: z.string().min(1),
});
export type ResumeCommand = z.infer<typeof ResumeCommand>;

export const CancelAllCommand = z.object({
  ...commandBase,
  command: z.literal('cancel-all'),
  scope: TradingStateScope,
});
export type CancelAllCommand = z.infer<typeof CancelAllCommand>;

export const CancelCommand = z.object({
  ...commandBase,
  command: z.literal('cancel'),
  clientOrderId: ClientOrderId,
});
export type CancelCommand = z.infer<typeof CancelCommand>;

export const StatusCommand = z.object({
  ...commandBase,
  command: z.literal('status'),
});
export type StatusCommand = z.infer<typeof StatusCommand>;

/**
 * Run a reconciliation now. An operator asks with trigger `operator` (the default); a service whose venue
 * stream reconnected asks with `reconnect` and holds submission until a report of that run passes.
 */
export const ReconNowCommand = z.object({
  ...commandBase,
  command: z.literal('recon-now'),
  trigger: z.enum(['operator', 'reconnect']).optional(),
});
export type ReconNowCommand = z.infer<typeof ReconNowCommand>;

/** Ask the risk gate to re-read its limits file now (instead of waiting for the file watch). */
export const ReloadLimitsCommand = z.object({
  ...commandBase,
  command: z.literal('reload-limits'),
  reason: z.string().min(1).optional(),
});
export type ReloadLimitsCommand = z.infer<typeof ReloadLimitsCommand>;

export const OperatorCommand = z.discriminatedUnion('command', [
  KillCommand,
  ResumeCommand,
  CancelAllCommand,
  CancelCommand,
  StatusCommand,
  ReconNowCommand,
  ReloadLimitsCommand,
]);
export type OperatorCommand = z.infer<typeof OperatorCommand>;

/** The command names, each also the last token of its request subject. */
export const OperatorCommandName = z.enum([
  'kill',
  'resume',
  'cancel-all',
  'cancel',
  'status',
  'recon-now',
  'reload-limits',
]);
export type OperatorCommandName = z.infer<typeof OperatorCommandName>;

export const OperatorError = z.object({
  /** Upper snake case, like the `code` of our error classes: `CONTRACT_VIOLATION`, `NOT_FOUND`. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: 'must be an UPPER_SNAKE_CASE code' }),
  message: z.string().min(1),
});
export type OperatorError = z.infer<typeof OperatorError>;

/** The reply schema for a command whose successful result has the shape `result`. */
export function operatorReplyOf<R extends z.ZodType>(result: R) {
  return z.discriminatedUnion('ok', [
    z.object({ v: z.literal(1), ok: z.literal(true), result }),
    z.object({ v: z.literal(1), ok: z.literal(false), error: OperatorError }),
  ]);
}

/** Any operator reply; the result is left for the caller to decode with its own schema. */
export const OperatorReply = operatorReplyOf(z.unknown());
export type OperatorReply = z.infer<typeof OperatorReply>;
