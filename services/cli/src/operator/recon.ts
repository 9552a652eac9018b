// `bourse recon`: asks the reconciler to run now and prints its report (exit 1 unless the verdict
// is ok); and the latest report on the RECON stream, for `status`'s "last reconciliation" age.
import { ReconciliationReport, ReconNowCommand, operatorReplyOf } from '@bourse/contracts';
import { BusErrorCode, isBusError } from '@bourse/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { CommandFailedError } from '../errors.js';
import type { OperatorContext } from './context.js';
import { describe, formatAge, formatJson } from './format.js';

export const RECONCILER_SERVICE = 'reconciler';
const ReconReply = operatorReplyOf(ReconciliationReport);

export async function requestRecon(ctx: OperatorContext, timeoutMs: number): Promise<ReconciliationReport> {
  const subject = ctx.subjects.command(RECONCILER_SERVICE, 'recon-now');
  const command: ReconNowCommand = {
    v: 1,
    command: 'recon-now',
    requestedBy: ctx.operator,
    requestedAt: ctx.now(),
    trigger: 'operator',
  };
  let reply;
  try {
    const bus = await ctx.bus();
    reply = await bus.request(
      subject,
      { name: 'ReconNowCommand', schema: ReconNowCommand },
      command,
      { name: 'ReconReply', schema: ReconReply },
      { timeoutMs },
    );
  } catch (err) {
    const hint =
      isBusError(err, BusErrorCode.NoResponders) || isBusError(err, BusErrorCode.RequestTimeout)
        ? ' (is the reconciler running?)'
        : '';
    throw new CommandFailedError('reconciler recon-now', `reconciliation request failed: ${describe(err)}${hint}`, {
      cause: err,
    });
  }
  if (!reply.ok) {
    throw new CommandFailedError(
      'reconciler recon-now',
      `the reconciler refused: ${reply.error.code}: ${reply.error.message}`,
    );
  }
  return reply.result;
}

export function formatReport(report: ReconciliationReport, now: number): string[] {
  const d = report.differences;
  const lines = [
    `reconciliation ${report.runId} (${report.trigger}) on ${report.venue}: ${report.verdict === 'ok' ? 'OK' : 'DRIFT — trading HALTED'}`,
    `  finished ${formatAge(now - report.finishedAt)} ago, took ${report.finishedAt - report.startedAt} ms`,
    `  checked: ${report.counts.ordersChecked} orders, ${report.counts.fillsChecked} fills, ${report.counts.balancesChecked} balances, ${report.counts.positionsChecked} positions`,
    `  drift: ${report.drift.value} ${report.drift.asset} (tolerance ${report.drift.tolerance})`,
    `  missed fills recovered: ${report.missedFillsRecovered.length}${report.missedFillsRecovered.length > 0 ? ` (${report.missedFillsRecovered.join(', ')})` : ''}`,
    `  unknown open orders: ${report.unknownOpenOrders.length}`,
  ];
  for (const o of report.unknownOpenOrders)
    lines.push(`    ${o.instrument} ${o.side} ${o.qty}${o.price ? ` @ ${o.price}` : ''} venue order ${o.venueOrderId}`);
  for (const [kind, list] of [
    ['balances', d.balances],
    ['positions', d.positions],
    ['fills', d.fills],
  ] as const) {
    for (const x of list)
      lines.push(`  ${kind} differ: ${x.key} expected ${x.expected ?? 'none'}, venue ${x.actual ?? 'none'}`);
  }
  for (const o of d.orders) {
    lines.push(
      `  order differs: ${o.clientOrderId} expected ${o.expectedStatus ?? 'none'} (${o.expectedFilledQty ?? '-'}), venue ${o.actualStatus ?? 'none'} (${o.actualFilledQty ?? '-'})`,
    );
  }
  return lines;
}

export async function runRecon(ctx: OperatorContext, options: { json: boolean; timeoutMs: number }): Promise<number> {
  const report = await requestRecon(ctx, options.timeoutMs);
  if (options.json) ctx.out(formatJson(report));
  else for (const line of formatReport(report, ctx.now())) ctx.out(line);
  return report.verdict === 'ok' ? 0 : 1;
}

/** The newest report on the RECON stream; undefined when there is none (or no stream yet). */
export async function latestReport(
  ctx: OperatorContext,
): Promise<ReconciliationReport | { invalid: string } | undefined> {
  const nc = await ctx.nats();
  const jsm = await jetstreamManager(nc);
  let message;
  try {
    message = await jsm.streams.getMessage(ctx.subjects.streams.RECON, { last_by_subj: ctx.subjects.reconReport() });
  } catch {
    return undefined; // no stream, or no report on it yet
  }
  if (message === null) return undefined;
  const parsed = ReconciliationReport.safeParse(safeJson(message.string()));
  return parsed.success ? parsed.data : { invalid: parsed.error.issues[0]?.message ?? 'invalid report' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
