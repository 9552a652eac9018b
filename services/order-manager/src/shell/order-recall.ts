// Orders and fills the order manager no longer holds in memory, brought back on demand: an order
// closed and evicted (or never loaded) followed again from the store, and the fills of an order the
// venue executed further than the fills we booked asked for at the venue and booked.

import { recoverMissingFills, type OrderTracker } from '@bourse/execution';
import type { Logger } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { listFillsOfOrders, listUnbookedOrders, loadOrder, loadOutbox, storedFillIds } from '../store/index.js';
import type { ExecutionPipeline } from './execution-pipeline.js';
import type { ExecutionStore } from './execution-store.js';
import type { OrderManagerMetrics } from './metrics.js';
import { fillEventOfRecord, orderOfStored } from './restore.js';

export interface OrderRecallDeps {
  readonly pool: pg.Pool;
  readonly venue: VenueClient;
  readonly tracker: OrderTracker;
  readonly store: ExecutionStore;
  readonly pipeline: ExecutionPipeline;
  readonly metrics: OrderManagerMetrics;
  readonly logger: Logger;
}

export class OrderRecall {
  constructor(private readonly d: OrderRecallDeps) {}

  /** Brings an order no longer in memory (closed and evicted, or never loaded) back from the store. */
  async follow(clientOrderId: string): Promise<void> {
    const { pool, tracker } = this.d;
    if (tracker.get(clientOrderId) !== undefined) return;
    const [row, entry] = await Promise.all([loadOrder(pool, clientOrderId), loadOutbox(pool, clientOrderId)]);
    if (row === undefined || entry === undefined) return;
    const order = orderOfStored(row);
    if (order === undefined) return;
    const seq = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM order_events WHERE type = 'order-status' AND client_order_id = $1`,
      [clientOrderId],
    );
    tracker.restore(entry.request, order, Math.max(1, Number(seq.rows[0]?.n ?? '1')));
    this.d.store.rememberOrderVersion(clientOrderId, row.version);
    // Its stored fills are in the positions already: counted for the order and known by id, not applied again.
    for (const f of await listFillsOfOrders(pool, [clientOrderId]))
      tracker.restoreFill(fillEventOfRecord(f, entry.request.venueSymbol), true);
  }

  /**
   * Asks the venue for the trades of an order whose fills do not add up to what the venue says it
   * executed, and books the missing ones (idempotent by fill id). Never throws: a failure is logged
   * and counted; the order stays unbooked in the store for the next start and the reconciler.
   */
  async bookMissingFills(clientOrderId: string, why: string): Promise<void> {
    const { pool, venue, metrics, logger: log } = this.d;
    try {
      const result = await recoverMissingFills(clientOrderId, {
        venue,
        tracker: this.d.tracker,
        storedFillIds: (instrument, ids) => storedFillIds(pool, venue.venue, instrument, ids),
      });
      if (result.kind === 'none') return;
      if (result.kind === 'failed') {
        metrics.recoveredFills.inc({ outcome: 'failed' });
        log.warn({ clientOrderId, why, reason: result.reason }, 'trades of an order missing fills not read');
        return;
      }
      await this.d.pipeline.apply(result.changes);
      metrics.recoveredFills.inc({ outcome: 'booked' }, result.booked.length);
      const detail = {
        clientOrderId,
        why,
        booked: result.booked,
        stillMissing: result.stillMissing.toString(),
        ...(result.refused.length > 0 ? { refused: result.refused } : {}),
      };
      if (result.stillMissing.isPositive() || result.refused.length > 0)
        log.warn(detail, 'fills of the order booked from the venue; some still missing');
      else log.info(detail, 'missing fills booked from the venue');
    } catch (err) {
      metrics.recoveredFills.inc({ outcome: 'failed' });
      log.error({ err, clientOrderId, why }, 'booking missing fills failed');
    }
  }

  /** Start-up: every stored order whose filled quantity is above its stored fills. */
  async bookUnbookedOrders(): Promise<void> {
    const { pool, venue, tracker, pipeline } = this.d;
    const orders = await listUnbookedOrders(pool, venue.venue);
    for (const row of orders) {
      const followedBefore = tracker.get(row.clientOrderId) !== undefined;
      await this.follow(row.clientOrderId);
      await this.bookMissingFills(row.clientOrderId, 'not fully booked at start');
      if (!followedBefore) {
        await pipeline.idle();
        tracker.evict(row.clientOrderId);
      }
    }
    if (orders.length > 0) this.d.logger.info({ orders: orders.length }, 'orders missing fills looked up at the venue');
  }
}
