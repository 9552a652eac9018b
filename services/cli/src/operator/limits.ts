// `bourse reload-limits`: asks the risk gate to re-read its limits file now
// (cmd.risk-gate.reload-limits), recorded in the audit log before it is sent.
import { OperatorReply, ReloadLimitsCommand } from '@bourse/contracts';
import { audited, outcomeOfError } from './audit.js';
import type { OperatorContext } from './context.js';
import { describe, formatJson } from './format.js';

export const RISK_GATE_SERVICE = 'risk-gate';

export interface ReloadLimitsOptions {
  readonly reason?: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export async function runReloadLimits(ctx: OperatorContext, options: ReloadLimitsOptions): Promise<number> {
  const command: ReloadLimitsCommand = {
    v: 1,
    command: 'reload-limits',
    requestedBy: ctx.operator,
    requestedAt: ctx.now(),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  };
  const outcome = await audited(
    ctx,
    {
      action: 'reload-limits',
      target: RISK_GATE_SERVICE,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    },
    async (): Promise<Outcome> => {
      try {
        const bus = await ctx.bus();
        const reply = await bus.request(
          ctx.subjects.command(RISK_GATE_SERVICE, 'reload-limits'),
          { name: 'ReloadLimitsCommand', schema: ReloadLimitsCommand },
          command,
          { name: 'OperatorReply', schema: OperatorReply },
          { timeoutMs: options.timeoutMs },
        );
        return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
      } catch (err) {
        const code = err instanceof Error && 'code' in err ? String(err.code) : 'REQUEST_FAILED';
        return { ok: false, error: { code, message: describe(err) } };
      }
    },
    {
      outcomeOf: (o) =>
        o.ok
          ? { outcome: 'done', detail: JSON.stringify(o.result) }
          : { outcome: outcomeOfError(o.error.message), detail: `${o.error.code}: ${o.error.message}` },
    },
  );
  ctx.audit.info({ operator: ctx.operator, ok: outcome.ok }, `operator ${ctx.operator} asked a limits reload`);
  if (options.json) ctx.out(formatJson(outcome));
  else if (outcome.ok) ctx.out(`limits reload: ${JSON.stringify(outcome.result)}`);
  else ctx.out(`limits reload FAILED: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.ok ? 0 : 1;
}
