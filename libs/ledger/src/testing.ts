// Fixture writers for tests of other packages (import from '@bourse/ledger/testing'): the rows the
// order manager would have written, put straight into its tables so a test of a reader (the risk
// gate, the reconciler, the `bourse` command) needs no order-manager package. Production code never
// writes these tables except through services/order-manager; these writers skip its checks (the
// tables' own CHECKs and foreign keys still apply) and its version protocol: a fixture upserts.

import type { Instrument, OrderRequest } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import type { BalanceRecord } from './balances.js';
import type { FillRecord } from './fills.js';
import type { OutboxState } from './outbox.js';
import type { OrderRecord } from './orders.js';
import type { OrderTrace } from './order-traces.js';
import type { PositionRecord } from './positions.js';
import { ORDER_MANAGER_LOCK_KEY, ORDER_MANAGER_MIGRATIONS } from './schema.js';

/** A database of its own with the order manager's schema applied (drop it in afterAll). */
export function ledgerTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ migrations: { directory: ORDER_MANAGER_MIGRATIONS, lockKey: ORDER_MANAGER_LOCK_KEY } });
}

const at = (ms: number): Date => new Date(ms);

/** Stores (or replaces) an instrument; orders and fills reference it. */
export async function writeInstrument(
  db: Queryable,
  i: Instrument,
  options: { readonly updatedAt: number; readonly rawFilters?: unknown },
): Promise<void> {
  await db.query(
    `INSERT INTO instruments (venue, venue_symbol, symbol, base_asset, quote_asset, tick_size, step_size,
       market_step_size, min_qty, max_qty, min_notional, multiplier, raw_filters, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (venue, venue_symbol) DO UPDATE
       SET symbol = EXCLUDED.symbol, base_asset = EXCLUDED.base_asset, quote_asset = EXCLUDED.quote_asset,
           tick_size = EXCLUDED.tick_size, step_size = EXCLUDED.step_size,
           market_step_size = EXCLUDED.market_step_size, min_qty = EXCLUDED.min_qty, max_qty = EXCLUDED.max_qty,
           min_notional = EXCLUDED.min_notional, multiplier = EXCLUDED.multiplier,
           raw_filters = EXCLUDED.raw_filters, updated_at = EXCLUDED.updated_at`,
    [
      i.venue,
      i.venueSymbol,
      i.symbol,
      i.base,
      i.quote,
      i.tickSize,
      i.stepSize,
      i.marketStepSize ?? null,
      i.minQty,
      i.maxQty,
      i.minNotional,
      i.multiplier,
      JSON.stringify(options.rawFilters ?? []),
      at(options.updatedAt),
    ],
  );
}

/** Journals a request in the outbox (state `pending` unless given); a repeat of the id changes nothing. */
export async function writeOutbox(
  db: Queryable,
  request: OrderRequest,
  journaledAt: number,
  state: OutboxState = 'pending',
): Promise<void> {
  await db.query(
    `INSERT INTO outbox (client_order_id, request, state, attempts, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (client_order_id) DO NOTHING`,
    [request.clientOrderId, JSON.stringify(request), state, state === 'pending' ? 0 : 1, at(journaledAt)],
  );
}

/**
 * Inserts an order, or replaces the stored one's changing fields (status, quantities, prices, venue
 * order id, reason, updated_at) and bumps its version. Returns the version now stored.
 */
export async function writeOrder(db: Queryable, order: OrderRecord): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `INSERT INTO orders (client_order_id, venue, instrument, venue_order_id, strategy_id, strategy_version, side,
       style, qty, quote_qty, price, stop_price, time_in_force, status, filled_qty, cumulative_quote_qty,
       avg_price, reason, created_at, updated_at, code_hash, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)
     ON CONFLICT (client_order_id) DO UPDATE
       SET venue_order_id = COALESCE(EXCLUDED.venue_order_id, orders.venue_order_id),
           qty = EXCLUDED.qty, quote_qty = EXCLUDED.quote_qty, price = EXCLUDED.price,
           stop_price = EXCLUDED.stop_price, time_in_force = EXCLUDED.time_in_force, status = EXCLUDED.status,
           filled_qty = EXCLUDED.filled_qty, cumulative_quote_qty = EXCLUDED.cumulative_quote_qty,
           avg_price = EXCLUDED.avg_price, reason = EXCLUDED.reason,
           updated_at = GREATEST(orders.updated_at, EXCLUDED.updated_at), version = orders.version + 1
     RETURNING version`,
    [
      order.clientOrderId,
      order.venue,
      order.instrument,
      order.venueOrderId ?? null,
      order.strategyId,
      order.strategyVersion,
      order.side,
      order.style,
      order.qty ?? null,
      order.quoteQty ?? null,
      order.price ?? null,
      order.stopPrice ?? null,
      order.timeInForce ?? null,
      order.status,
      order.filledQty,
      order.cumulativeQuoteQty,
      order.avgPrice ?? null,
      order.reason ?? null,
      at(order.createdAt),
      at(order.updatedAt),
      order.codeHash ?? null,
    ],
  );
  return rows[0]?.version ?? 0;
}

/** Stores a fill; false when this venue fill id is stored already (nothing written then). */
export async function writeFill(db: Queryable, fill: FillRecord): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO fills (venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty,
       price, fee, fee_asset, liquidity, venue_time, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (venue, instrument, venue_fill_id) DO NOTHING`,
    [
      fill.venue,
      fill.instrument,
      fill.venueFillId,
      fill.clientOrderId,
      fill.venueOrderId ?? null,
      fill.strategyId,
      fill.side,
      fill.qty,
      fill.price,
      fill.fee,
      fill.feeAsset,
      fill.liquidity,
      at(fill.venueTime),
      at(fill.recordedAt),
    ],
  );
  return result.rowCount === 1;
}

/** Stores (or replaces) a position row. */
export async function writePosition(db: Queryable, position: PositionRecord): Promise<void> {
  await db.query(
    `INSERT INTO positions (strategy_id, instrument, qty, avg_entry_price, realized_pnl, fees, lots, fill_count,
       last_fill_at, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
     ON CONFLICT (strategy_id, instrument) DO UPDATE
       SET qty = EXCLUDED.qty, avg_entry_price = EXCLUDED.avg_entry_price, realized_pnl = EXCLUDED.realized_pnl,
           fees = EXCLUDED.fees, lots = EXCLUDED.lots, fill_count = EXCLUDED.fill_count,
           last_fill_at = EXCLUDED.last_fill_at, updated_at = EXCLUDED.updated_at, version = positions.version + 1`,
    [
      position.strategyId,
      position.instrument,
      position.qty,
      position.avgEntryPrice ?? null,
      position.realizedPnl,
      JSON.stringify(position.fees),
      JSON.stringify(position.lots),
      position.fillCount,
      position.lastFillAt === undefined ? null : at(position.lastFillAt),
      at(position.updatedAt),
    ],
  );
}

/** Stores (or replaces) a balance. */
export async function writeBalance(db: Queryable, balance: BalanceRecord): Promise<void> {
  await db.query(
    `INSERT INTO balances (venue, asset, free, locked, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (venue, asset) DO UPDATE
       SET free = EXCLUDED.free, locked = EXCLUDED.locked, updated_at = EXCLUDED.updated_at`,
    [balance.venue, balance.asset, balance.free, balance.locked, at(balance.updatedAt)],
  );
}

/** Books a deposit (positive delta) or withdrawal (negative) row; the balance row is left as it is. */
export async function writeBalanceTransfer(
  db: Queryable,
  transfer: { readonly venue: string; readonly asset: string; readonly delta: string; readonly venueTime: number },
  bookedAt: number,
): Promise<void> {
  await db.query(
    `INSERT INTO balance_transfers (venue, asset, venue_time, delta, booked_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [transfer.venue, transfer.asset, at(transfer.venueTime), transfer.delta, at(bookedAt)],
  );
}

/** Moves the venue's fill checkpoint to its newest stored fill (never back), as the order manager does per fill. */
export async function writeFillCheckpoint(db: Queryable, venue: string, updatedAt: number): Promise<number> {
  const { rows } = await db.query<{ through_seq: string }>(
    `INSERT INTO fill_checkpoints (venue, through_seq, updated_at)
       VALUES ($1, (SELECT COALESCE(max(seq), 0) FROM fills WHERE venue = $1), $2)
     ON CONFLICT (venue) DO UPDATE
       SET through_seq = GREATEST(fill_checkpoints.through_seq, EXCLUDED.through_seq), updated_at = EXCLUDED.updated_at
     RETURNING through_seq::text AS through_seq`,
    [venue, at(updatedAt)],
  );
  return Number(rows[0]?.through_seq ?? '0');
}

/** Stores the trace context an order was journaled in; a repeat keeps the first. */
export async function writeOrderTrace(
  db: Queryable,
  clientOrderId: string,
  trace: OrderTrace,
  recordedAt: number,
): Promise<void> {
  await db.query(
    `INSERT INTO order_traces (client_order_id, traceparent, tracestate, recorded_at)
     VALUES ($1, $2, $3, $4) ON CONFLICT (client_order_id) DO NOTHING`,
    [clientOrderId, trace.traceparent, trace.tracestate ?? null, at(recordedAt)],
  );
}
