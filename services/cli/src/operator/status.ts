// `bourse status [--watch]`: services' health, trading state, age of the last reconciliation,
// positions with P&L per strategy, open orders. Each section is read on its own, so a server that
// does not answer shows as that section's error while the rest still render; the exit code is 1
// when any section could not be read.
import { setTimeout as delay } from 'node:timers/promises';
import type { ReconciliationReport } from '@bourse/contracts';
import type { OperatorContext } from './context.js';
import { describe, formatAge, formatJson, formatTable } from './format.js';
import { checkAll, type ServiceHealth } from './health.js';
import { readOrders, type OrderRow } from './ledger.js';
import { pnlByStrategy, type StrategyPnl, type ValuedPosition } from './pnl.js';
import { latestReport } from './recon.js';
import { formatTradingStates, readTradingStates, type StateEntry } from './trading-state.js';
import { formatTrips } from './trips.js';
import { formatOrders, formatPositions, valuedPositions } from './views.js';
import { formatStrategyActivity, readStrategyActivity, type StrategyActivity } from './strategy-activity.js';

type Section<T> = { ok: true; value: T } | { ok: false; error: string };

export interface StatusSnapshot {
  readonly at: number;
  readonly services: Section<ServiceHealth[]>;
  readonly tradingState: Section<StateEntry[]>;
  readonly lastReconciliation: Section<ReconciliationReport | { invalid: string } | null>;
  readonly positions: Section<ValuedPosition[]>;
  readonly pnl: Section<StrategyPnl[]>;
  readonly openOrders: Section<OrderRow[]>;
  readonly strategies: Section<StrategyActivity[]>;
}

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

export async function gatherStatus(ctx: OperatorContext, timeoutMs: number): Promise<StatusSnapshot> {
  const [services, tradingState, lastReconciliation, positions, openOrders, strategies] = await Promise.all([
    section(() => checkAll(ctx, timeoutMs)),
    section(() => readTradingStates(ctx)),
    section(async () => (await latestReport(ctx)) ?? null),
    section(() => valuedPositions(ctx)),
    section(() => readOrders(ctx, { all: false, limit: 0 })),
    section(() => readStrategyActivity(ctx)),
  ]);
  const pnl: Section<StrategyPnl[]> = positions.ok ? { ok: true, value: pnlByStrategy(positions.value) } : positions;
  return { at: ctx.now(), services, tradingState, lastReconciliation, positions, pnl, openOrders, strategies };
}

export function allRead(s: StatusSnapshot): boolean {
  return [s.services, s.tradingState, s.lastReconciliation, s.positions, s.openOrders, s.strategies].every((x) => x.ok);
}

function render<T>(title: string, s: Section<T>, body: (value: T) => string[]): string[] {
  return ['', `== ${title}`, ...(s.ok ? body(s.value) : [`cannot read: ${s.error}`])];
}

export function formatStatus(s: StatusSnapshot, ctx: Pick<OperatorContext, 'config'>): string[] {
  const ns = ctx.config.namespace === '' ? '' : ` namespace ${ctx.config.namespace},`;
  const lines = [
    `bourse status —${ns} venue ${ctx.config.venue.id} (${ctx.config.venue.target}), ${new Date(s.at).toISOString()}`,
  ];
  lines.push(
    ...render('services', s.services, (list) =>
      formatTable(
        ['SERVICE', 'HEALTH', 'READY', 'URL', 'NOTES'],
        list.map((h) => [
          h.service,
          h.health,
          h.ready === null ? '-' : h.ready ? 'yes' : 'no',
          h.url,
          h.reasons.join('; '),
        ]),
      ),
    ),
  );
  lines.push(...render('trading state', s.tradingState, (entries) => formatTradingStates(entries, s.at)));
  lines.push(...render('kill-switch trips', s.tradingState, (entries) => formatTrips(entries, s.at)));
  lines.push(
    ...render('last reconciliation', s.lastReconciliation, (r) => {
      if (r === null) return ['none reported yet'];
      if ('invalid' in r) return [`latest report is invalid: ${r.invalid}`];
      return [
        `${formatAge(s.at - r.finishedAt)} ago: ${r.verdict} (${r.trigger}), drift ${r.drift.value} ${r.drift.asset} of ${r.drift.tolerance}, ${r.missedFillsRecovered.length} missed fill(s) recovered, ${r.unknownOpenOrders.length} unknown open order(s)`,
      ];
    }),
  );
  lines.push(...render('positions', s.positions, formatPositions));
  lines.push(
    ...render(`P&L per strategy (${ctx.config.pnlAsset})`, s.pnl, (list) =>
      list.length === 0
        ? ['no strategy has traded yet']
        : formatTable(
            ['STRATEGY', 'REALIZED', 'UNREALIZED', 'OPEN POSITIONS'],
            list.map((p) => [p.strategyId, p.realizedPnl, p.unrealizedPnl ?? 'no mark', String(p.openPositions)]),
          ),
    ),
  );
  lines.push(...render('open orders', s.openOrders, (orders) => formatOrders(orders, s.at)));
  lines.push(
    ...render('strategies: last order, refusals by the risk gate', s.strategies, (list) =>
      formatStrategyActivity(list, s.at),
    ),
  );
  return lines;
}

export interface StatusOptions {
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly watch: boolean;
  readonly intervalMs: number;
  /** Whether output is a terminal (redraw in place) or not (one snapshot after another). */
  readonly tty: boolean;
  /** Aborted on Ctrl-C; ends --watch. */
  readonly stop: AbortSignal;
  /** Only the health verdict (`--check`), for scripts and probes. */
  readonly check?: boolean;
}

const CLEAR = '\x1b[H\x1b[2J';

/**
 * `status --check`: what keeps the platform from trading, each as one line; empty when every
 * service answers ready and global trading is ACTIVE. A section that cannot be read is a problem too.
 */
export function healthProblems(s: StatusSnapshot): string[] {
  const problems: string[] = [];
  if (!s.services.ok) problems.push(`services: cannot read: ${s.services.error}`);
  else {
    for (const h of s.services.value) {
      if (h.health === 'up' && h.ready === true) continue;
      const state = h.health !== 'up' ? h.health : 'not ready';
      problems.push(`${h.service} ${state}${h.reasons.length > 0 ? `: ${h.reasons.join('; ')}` : ''}`);
    }
  }
  if (!s.tradingState.ok) problems.push(`trading state: cannot read: ${s.tradingState.error}`);
  else {
    const global = s.tradingState.value.find((e) => e.key === 'global')?.state;
    if (global === undefined) problems.push('trading global unset (services treat it as HALTED)');
    else if (global.mode !== 'ACTIVE') problems.push(`trading global ${global.mode}: ${global.reason}`);
  }
  return problems;
}

async function runCheck(ctx: OperatorContext, options: StatusOptions): Promise<number> {
  const problems = healthProblems(await gatherStatus(ctx, options.timeoutMs));
  if (options.json) ctx.out(formatJson({ ok: problems.length === 0, problems }));
  else if (problems.length === 0) ctx.out('ok: every service is ready and trading is ACTIVE');
  else for (const p of ['not ok:', ...problems.map((p) => `  ${p}`)]) ctx.out(p);
  return problems.length === 0 ? 0 : 1;
}

export async function runStatus(ctx: OperatorContext, options: StatusOptions): Promise<number> {
  if (options.check === true) return runCheck(ctx, options);
  let ok = true;
  for (let first = true; first || (options.watch && !options.stop.aborted); first = false) {
    const snapshot = await gatherStatus(ctx, options.timeoutMs);
    ok = allRead(snapshot);
    if (options.stop.aborted) break;
    if (options.json) {
      ctx.out(options.watch ? JSON.stringify(snapshot) : formatJson(snapshot));
    } else {
      const lines = formatStatus(snapshot, ctx);
      if (options.watch) lines.push('', `refreshing every ${options.intervalMs} ms; Ctrl-C stops`);
      ctx.out(options.watch && options.tty ? `${CLEAR}${lines.join('\n')}` : lines.join('\n'));
    }
    if (!options.watch) break;
    await delay(options.intervalMs, undefined, { signal: options.stop }).catch(() => undefined);
  }
  return ok ? 0 : 1;
}
