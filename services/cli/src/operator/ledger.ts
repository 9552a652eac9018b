// Read-only views of the order manager's tables (the OMS is their only writer): positions, orders
// and fills. Open orders come from the OMS's own query; the rest are bounded reads written here
// because the OMS repository has no "newest N" or "every order" query.
import { listOpenOrders, type StoredOrder } from '@bourse/order-manager';
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

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

/** The trace id of each order that has one (order_traces, order-manager migration 0006). */
export async function traceIdsOf(
  ctx: OperatorContext,
  clientOrderIds: readonly string[],
): Promise<Map<string, string>> {
  if (clientOrderIds.length === 0) return new Map();
  try {
    const { rows } = await ctx
      .pool()
      .query<{ client_order_id: string; traceparent: string }>(
        'SELECT client_order_id, traceparent FROM order_traces WHERE client_order_id = ANY($1)',
        [clientOrderIds],
      );
    return new Map(rows.map((r) => [r.client_order_id, r.traceparent.split('-')[1] ?? '']));
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
  return read(ctx, 'positions', async () => {
    const { rows } = await ctx.pool().query<{
      strategy_id: string;
      instrument: string;
      qty: string;
      avg_entry_price: string | null;
      realized_pnl: string;
      fees: Record<string, string>;
      fill_count: number;
      last_fill_at: Date | null;
    }>(
      `SELECT strategy_id, instrument, qty, avg_entry_price, realized_pnl, fees, fill_count, last_fill_at
         FROM positions ORDER BY strategy_id, instrument`,
    );
    return rows.map((r) => ({
      strategyId: r.strategy_id,
      instrument: r.instrument,
      qty: r.qty,
      avgEntryPrice: r.avg_entry_price,
      realizedPnl: r.realized_pnl,
      fees: r.fees,
      fillCount: r.fill_count,
      lastFillAt: ms(r.last_fill_at),
    }));
  });
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
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** Open orders (the OMS's definition), oldest first; with `all`, the newest `limit` orders of any status. */
export function readOrders(ctx: OperatorContext, options: { all: boolean; limit: number }): Promise<OrderRow[]> {
  if (!options.all)
    return read(ctx, 'open orders', async () => withTraceIds(ctx, (await listOpenOrders(ctx.pool())).map(fromStored)));
  return read(ctx, 'orders', async () => {
    const { rows } = await ctx.pool().query<{
      client_order_id: string;
      strategy_id: string;
      instrument: string;
      side: string;
      style: string;
      qty: string | null;
      quote_qty: string | null;
      price: string | null;
      status: string;
      filled_qty: string;
      avg_price: string | null;
      venue_order_id: string | null;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT client_order_id, strategy_id, instrument, side, style, qty, quote_qty, price, status, filled_qty,
              avg_price, venue_order_id, created_at, updated_at
         FROM orders ORDER BY created_at DESC, client_order_id DESC LIMIT $1`,
      [options.limit],
    );
    const orders = rows.reverse().map((r) => ({
      clientOrderId: r.client_order_id,
      strategyId: r.strategy_id,
      instrument: r.instrument,
      side: r.side,
      style: r.style,
      qty: r.qty,
      quoteQty: r.quote_qty,
      price: r.price,
      status: r.status,
      filledQty: r.filled_qty,
      avgPrice: r.avg_price,
      venueOrderId: r.venue_order_id,
      createdAt: r.created_at.getTime(),
      updatedAt: r.updated_at.getTime(),
    }));
    return withTraceIds(ctx, orders);
  });
}

/** The newest `limit` fills, shown oldest first. */
export function readFills(ctx: OperatorContext, limit: number): Promise<FillRow[]> {
  return read(ctx, 'fills', async () => {
    const { rows } = await ctx.pool().query<{
      venue_fill_id: string;
      client_order_id: string;
      strategy_id: string;
      instrument: string;
      side: string;
      qty: string;
      price: string;
      fee: string;
      fee_asset: string;
      liquidity: string;
      venue_time: Date;
    }>(
      `SELECT venue_fill_id, client_order_id, strategy_id, instrument, side, qty, price, fee, fee_asset, liquidity,
              venue_time
         FROM fills ORDER BY venue_time DESC, venue_fill_id DESC LIMIT $1`,
      [limit],
    );
    const fills = rows.reverse().map((r) => ({
      venueFillId: r.venue_fill_id,
      clientOrderId: r.client_order_id,
      strategyId: r.strategy_id,
      instrument: r.instrument,
      side: r.side,
      qty: r.qty,
      price: r.price,
      fee: r.fee,
      feeAsset: r.fee_asset,
      liquidity: r.liquidity,
      venueTime: r.venue_time.getTime(),
    }));
    return withTraceIds(ctx, fills);
  });
}

/** When each strategy last ordered (the newest order's creation time), by strategy id. */
export function readLastOrders(ctx: OperatorContext): Promise<Map<string, number>> {
  return read(ctx, 'last orders', async () => {
    const { rows } = await ctx
      .pool()
      .query<{ strategy_id: string; last: Date }>(
        'SELECT strategy_id, max(created_at) AS last FROM orders GROUP BY strategy_id',
      );
    return new Map(rows.map((r) => [r.strategy_id, r.last.getTime()]));
  });
}
