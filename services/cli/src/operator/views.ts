// `bourse positions`, `orders`, `fills`, `quotes`: one read each, a table or JSON.
import type { OperatorContext } from './context.js';
import { formatAge, formatJson, formatTable } from './format.js';
import { readFills, readOrders, readPositions, type OrderRow } from './ledger.js';
import { pnlByStrategy, valuePositions, type ValuedPosition } from './pnl.js';
import { marksByInstrument, markOf, readSnapshots, type SnapshotEntry } from './quotes.js';

const dash = (v: string | null | undefined): string => (v === null || v === undefined ? '-' : v);

/** Characters of a code hash shown in a table (as the runner's log prints it); `--json` has it whole. */
export const CODE_HASH_PREFIX = 12;
const shortHash = (hash: string | null): string => (hash === null ? '-' : hash.slice(0, CODE_HASH_PREFIX));

export async function valuedPositions(ctx: OperatorContext): Promise<ValuedPosition[]> {
  const [positions, snapshots] = await Promise.all([readPositions(ctx), readSnapshots(ctx)]);
  return valuePositions(positions, marksByInstrument(snapshots));
}

export function formatPositions(positions: readonly ValuedPosition[]): string[] {
  if (positions.length === 0) return ['no positions'];
  return formatTable(
    ['STRATEGY', 'INSTRUMENT', 'QTY', 'AVG ENTRY', 'MARK', 'UNREALIZED', 'REALIZED', 'FILLS'],
    positions.map((p) => [
      p.strategyId,
      p.instrument,
      p.qty,
      dash(p.avgEntryPrice),
      dash(p.mark),
      dash(p.unrealizedPnl),
      p.realizedPnl,
      String(p.fillCount),
    ]),
  );
}

export async function runPositions(ctx: OperatorContext, options: { json: boolean }): Promise<number> {
  const positions = await valuedPositions(ctx);
  if (options.json) ctx.out(formatJson({ positions, byStrategy: pnlByStrategy(positions) }));
  else for (const line of formatPositions(positions)) ctx.out(line);
  return 0;
}

export function formatOrders(orders: readonly OrderRow[], now: number): string[] {
  if (orders.length === 0) return ['no orders'];
  return formatTable(
    [
      'CLIENT ORDER ID',
      'TRACE ID',
      'CODE',
      'STRATEGY',
      'INSTRUMENT',
      'SIDE',
      'STYLE',
      'QTY',
      'PRICE',
      'FILLED',
      'STATUS',
      'AGE',
    ],
    orders.map((o) => [
      o.clientOrderId,
      dash(o.traceId),
      shortHash(o.codeHash),
      o.strategyId,
      o.instrument,
      o.side,
      o.style,
      o.qty ?? (o.quoteQty !== null ? `${o.quoteQty} (quote)` : '-'),
      dash(o.price),
      o.filledQty,
      o.status,
      formatAge(now - o.createdAt),
    ]),
  );
}

export async function runOrders(
  ctx: OperatorContext,
  options: { json: boolean; all: boolean; limit: number },
): Promise<number> {
  const orders = await readOrders(ctx, options);
  if (options.json) ctx.out(formatJson(orders));
  else for (const line of formatOrders(orders, ctx.now())) ctx.out(line);
  return 0;
}

export async function runFills(ctx: OperatorContext, options: { json: boolean; limit: number }): Promise<number> {
  const fills = await readFills(ctx, options.limit);
  if (options.json) {
    ctx.out(formatJson(fills));
    return 0;
  }
  if (fills.length === 0) {
    ctx.out('no fills');
    return 0;
  }
  const now = ctx.now();
  for (const line of formatTable(
    [
      'TIME',
      'TRACE ID',
      'CODE',
      'STRATEGY',
      'INSTRUMENT',
      'SIDE',
      'QTY',
      'PRICE',
      'FEE',
      'LIQ',
      'CLIENT ORDER ID',
      'FILL ID',
    ],
    fills.map((f) => [
      `${new Date(f.venueTime).toISOString()} (${formatAge(now - f.venueTime)} ago)`,
      dash(f.traceId),
      shortHash(f.codeHash),
      f.strategyId,
      f.instrument,
      f.side,
      f.qty,
      f.price,
      `${f.fee} ${f.feeAsset}`,
      f.liquidity,
      f.clientOrderId,
      f.venueFillId,
    ]),
  ))
    ctx.out(line);
  return 0;
}

export function formatQuotes(entries: readonly SnapshotEntry[], now: number): string[] {
  if (entries.length === 0) return ['no market snapshots in Redis (is market-data running?)'];
  return formatTable(
    ['KEY', 'INSTRUMENT', 'BID', 'ASK', 'MARK', 'LAST', 'FEED', 'AGE'],
    entries.map((e) => {
      const s = e.snapshot;
      if (s === undefined) return [e.key, '-', '-', '-', '-', '-', 'INVALID', e.invalid ?? ''];
      return [
        e.key,
        s.instrument,
        dash(s.top?.bidPrice),
        dash(s.top?.askPrice),
        dash(markOf(s)),
        dash(s.lastTrade?.price),
        s.feed.state,
        s.receivedAt === undefined ? '-' : formatAge(now - s.receivedAt),
      ];
    }),
  );
}

export async function runQuotes(ctx: OperatorContext, options: { json: boolean }): Promise<number> {
  const entries = await readSnapshots(ctx);
  if (options.json) ctx.out(formatJson(entries));
  else for (const line of formatQuotes(entries, ctx.now())) ctx.out(line);
  return 0;
}
