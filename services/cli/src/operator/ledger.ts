// Read-only views of the order manager's tables (the OMS is their only writer): positions, orders
// and fills, read through @bourse/ledger's queries and shaped for the operator's tables and JSON.
import {
  lastOrderTimes,
  listNewestFills,
  listNewestOrders,
  listOpenOrders,
  loadCodeHashes,
  loadPositions,
  loadTraceIds,
  type FillRecord,
  type StoredOrder,
} from '@bourse/ledger';
import { sqlStateOf } from '@bourse/store';
import { CommandFailedError } from '../errors.js';
import type { OperatorContext } from './context.js';
import { describe } from './format.js';
import { maskUrl } from '@bourse/servers';

export interface PositionRow {
  readonly strategyId: string;
  readonly instrument: string;
  readonly qty: string;
  readonly avgEntryPrice: string | null;
  readonly realizedPnl: string;
  readonly fees: Readonly<Record<string, string>>;
  readonly fillCount: number;
  readonly lastFillAt: number | null;
}

export interface OrderRow {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: string;
  readonly style: string;
  readonly qty: string | null;
  readonly quoteQty: string | null;
  readonly price: string | null;
  readonly status: string;
  readonly filledQty: string;
  readonly avgPrice: string | null;
  readonly venueOrderId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The trace the order was submitted in (OpenTelemetry trace id), when it was traced. */
  readonly traceId: string | null;
  /** The hash of the strategy code that decided the order (sha256 hex), when the request carried one. */
  readonly codeHash: string | null;
}

export interface FillRow {
  readonly venueFillId: string;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly liquidity: string;
  readonly venueTime: number;
  /** The trace of the fill's order. */
  readonly traceId: string | null;
  /** The strategy code hash of the fill's order. */
  readonly codeHash: string | null;
}

/** Runs a read; a missing table means the schema was never migrated, which the message says. */
async function read<T>(ctx: OperatorContext, what: string, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    const where = maskUrl(ctx.config.servers.postgres);
    const state = sqlStateOf(err);
    if (state === '3D000') {
      throw new CommandFailedError(
        'PostgreSQL',
        `cannot read ${what}: ${describe(err)} at ${where}; run \`pnpm bourse migrate\` (or \`pnpm start\`)`,
        {
          cause: err,
        },
      );
    }
    if (state === '42703') {
      // A column a later migration adds (orders.code_hash, 0010): the schema is older than this command.
      throw new CommandFailedError(
        'PostgreSQL',
        `cannot read ${what}: the order manager's tables in ${where} miss a newer migration (${describe(err)}); run \`pnpm bourse migrate\``,
        { cause: err },
      );
    }
    if (state === '42P01') {
      throw new CommandFailedError(
        'PostgreSQL',
        `cannot read ${what}: the order manager's tables do not exist in ${where}; run \`pnpm bourse migrate\``,
        { cause: err },
      );
    }
    throw new CommandFailedError('PostgreSQL', `cannot read ${what} from ${where}: ${describe(err)}`, { cause: err });
  }
}

/** The trace id of each order that has one (order_traces, order-manager migration 0006). */
export async function traceIdsOf(
  ctx: OperatorContext,
  clientOrderIds: readonly string[],
): Promise<Map<string, string>> {
  try {
    return await loadTraceIds(ctx.pool(), clientOrderIds);
  } catch (err) {
    // A database migrated before traces were stored: the orders are still worth showing.
    if (sqlStateOf(err) === '42P01') return new Map();
    throw err;
  }
}

async function withTraceIds<T extends { clientOrderId: string }>(
  ctx: OperatorContext,
  rows: readonly T[],
): Promise<Array<T & { traceId: string | null }>> {
  const ids = await traceIdsOf(ctx, [...new Set(rows.map((r) => r.clientOrderId))]);
  return rows.map((r) => ({ ...r, traceId: ids.get(r.clientOrderId) ?? null }));
}

export function readPositions(ctx: OperatorContext): Promise<PositionRow[]> {
  return read(ctx, 'positions', async () =>
    (await loadPositions(ctx.pool())).map((p) => ({
      strategyId: p.strategyId,
      instrument: p.instrument,
      qty: p.qty,
      avgEntryPrice: p.avgEntryPrice ?? null,
      realizedPnl: p.realizedPnl,
      fees: p.fees,
      fillCount: p.fillCount,
      lastFillAt: p.lastFillAt ?? null,
    })),
  );
}

/** Adds the code hash of each fill's order (a fill is made by its order's code). */
async function withCodeHashes<T extends { clientOrderId: string }>(
  ctx: OperatorContext,
  rows: readonly T[],
): Promise<Array<T & { codeHash: string | null }>> {
  const hashes = await loadCodeHashes(ctx.pool(), [...new Set(rows.map((r) => r.clientOrderId))]);
  return rows.map((r) => ({ ...r, codeHash: hashes.get(r.clientOrderId) ?? null }));
}

function fromStored(o: StoredOrder): Omit<OrderRow, 'traceId'> {
  return {
    clientOrderId: o.clientOrderId,
    strategyId: o.strategyId,
    instrument: o.instrument,
    side: o.side,
    style: o.style,
    qty: o.qty ?? null,
    quoteQty: o.quoteQty ?? null,
    price: o.price ?? null,
    status: o.status,
    filledQty: o.filledQty,
    avgPrice: o.avgPrice ?? null,
    venueOrderId: o.venueOrderId ?? null,
    codeHash: o.codeHash ?? null,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** Open orders (the OMS's definition), oldest first; with `all`, the newest `limit` orders of any status. */
export function readOrders(ctx: OperatorContext, options: { all: boolean; limit: number }): Promise<OrderRow[]> {
  if (!options.all)
    return read(ctx, 'open orders', async () => withTraceIds(ctx, (await listOpenOrders(ctx.pool())).map(fromStored)));
  return read(ctx, 'orders', async () =>
    withTraceIds(ctx, (await listNewestOrders(ctx.pool(), options.limit)).map(fromStored)),
  );
}

function fillRow(f: FillRecord): Omit<FillRow, 'traceId' | 'codeHash'> {
  return {
    venueFillId: f.venueFillId,
    clientOrderId: f.clientOrderId,
    strategyId: f.strategyId,
    instrument: f.instrument,
    side: f.side,
    qty: f.qty,
    price: f.price,
    fee: f.fee,
    feeAsset: f.feeAsset,
    liquidity: f.liquidity,
    venueTime: f.venueTime,
  };
}

/** The newest `limit` fills, shown oldest first. */
export function readFills(ctx: OperatorContext, limit: number): Promise<FillRow[]> {
  return read(ctx, 'fills', async () =>
    withCodeHashes(ctx, await withTraceIds(ctx, (await listNewestFills(ctx.pool(), limit)).map(fillRow))),
  );
}

/** When each strategy last ordered (the newest order's creation time), by strategy id. */
export function readLastOrders(ctx: OperatorContext): Promise<Map<string, number>> {
  return read(ctx, 'last orders', () => lastOrderTimes(ctx.pool()));
}
