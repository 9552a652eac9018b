// `bourse status`, per strategy: how long since its last order and its latest refusals by the risk
// gate, each with the rule and the numbers. A strategy refused for minutes is then visible where an
// operator looks first, not only in logs and metrics. Refusals are the gate's rejected decisions on
// the RISK stream, read back over a bounded window of its newest messages; orders come from the
// order manager's table.
import { RiskDecision, type RiskRuleFailure } from '@bourse/contracts';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { OperatorContext } from './context.js';
import { formatAge } from './format.js';
import { readLastOrders } from './ledger.js';

/** How many of the RISK stream's newest messages are read: enough for recent refusals, bounded. */
export const DECISION_WINDOW = 2_000;
/** Refusals shown per strategy, newest first. */
export const REFUSALS_SHOWN = 3;

export interface Refusal {
  readonly decidedAt: number;
  readonly instrument: string;
  readonly failures: readonly RiskRuleFailure[];
}

export interface StrategyActivity {
  readonly strategyId: string;
  readonly lastOrderAt: number | null;
  /** Refusals in the window after the last order (all in the window when it holds no later order). */
  readonly refusedSinceLastOrder: number;
  /** The newest refusals in the window, newest first, at most REFUSALS_SHOWN. */
  readonly refusals: readonly Refusal[];
}

/**
 * Pure: per strategy (the configured ones, and any that ordered or was decided on), the last
 * order time and the newest refusals among `decisions` (in stream order, oldest first).
 */
export function summarizeActivity(
  strategyIds: readonly string[],
  lastOrders: ReadonlyMap<string, number>,
  decisions: readonly RiskDecision[],
): StrategyActivity[] {
  const ids = new Set([...strategyIds, ...lastOrders.keys(), ...decisions.map((d) => d.strategyId)]);
  return [...ids].sort().map((strategyId) => {
    const lastOrderAt = lastOrders.get(strategyId) ?? null;
    const refused = decisions.filter(
      (d): d is Extract<RiskDecision, { outcome: 'rejected' }> =>
        d.strategyId === strategyId && d.outcome === 'rejected',
    );
    return {
      strategyId,
      lastOrderAt,
      refusedSinceLastOrder: refused.filter((d) => lastOrderAt === null || d.decidedAt > lastOrderAt).length,
      refusals: refused
        .slice(-REFUSALS_SHOWN)
        .reverse()
        .map((d) => ({ decidedAt: d.decidedAt, instrument: d.instrument, failures: d.failures })),
    };
  });
}

/** `max-position: limit 1, actual 1.2 (would exceed the position limit)`. */
export function formatFailure(f: RiskRuleFailure): string {
  const numbers = [f.limit !== undefined ? `limit ${f.limit}` : '', f.actual !== undefined ? `actual ${f.actual}` : '']
    .filter((s) => s !== '')
    .join(', ');
  return `${f.rule}${numbers === '' ? '' : `: ${numbers}`} (${f.message})`;
}

export function formatStrategyActivity(list: readonly StrategyActivity[], now: number): string[] {
  if (list.length === 0) return ['no strategy configured or seen yet'];
  const lines: string[] = [];
  for (const a of list) {
    const order = a.lastOrderAt === null ? 'no order yet' : `last order ${formatAge(now - a.lastOrderAt)} ago`;
    const refused =
      a.refusedSinceLastOrder === 0
        ? 'no refusal since'
        : `${a.refusedSinceLastOrder} refusal(s) since${a.refusedSinceLastOrder >= DECISION_WINDOW ? ' (at least)' : ''}`;
    lines.push(`${a.strategyId}: ${order}, ${refused}`);
    for (const r of a.refusals) {
      lines.push(`  ${formatAge(now - r.decidedAt)} ago ${r.instrument} ${r.failures.map(formatFailure).join('; ')}`);
    }
  }
  return lines;
}

/** The RISK stream's newest decisions (at most DECISION_WINDOW messages), oldest first; none without a stream. */
export async function readRecentDecisions(ctx: OperatorContext): Promise<RiskDecision[]> {
  const nc = await ctx.nats();
  const stream = ctx.subjects.streams.RISK;
  let first: number;
  let last: number;
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    first = info.state.first_seq;
    last = info.state.last_seq;
  } catch {
    return []; // no stream yet: the gate has decided nothing
  }
  if (last === 0 || last < first) return [];
  const consumer = await jetstream(nc).consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(first, last - DECISION_WINDOW + 1),
  });
  const decisions: RiskDecision[] = [];
  let pending = (await consumer.info(true)).num_pending;
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(256, pending), expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      pending = m.info.pending;
      let body: unknown;
      try {
        body = m.json();
      } catch {
        continue; // not JSON: the gate's consumers dead-letter it; a status skips it
      }
      const parsed = RiskDecision.safeParse(body);
      if (parsed.success) decisions.push(parsed.data);
    }
    if (got === 0 || decisions.length >= DECISION_WINDOW) break;
  }
  return decisions;
}

export async function readStrategyActivity(ctx: OperatorContext): Promise<StrategyActivity[]> {
  const [lastOrders, decisions] = await Promise.all([readLastOrders(ctx), readRecentDecisions(ctx)]);
  const configured = ctx.config.strategies.list
    .map((s) => s['id'])
    .filter((id): id is string => typeof id === 'string');
  return summarizeActivity(configured, lastOrders, decisions);
}
