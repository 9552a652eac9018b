// Every event applied to an order, recorded once. The event id is the idempotency key (DESIGN
// principle 6): the OMS records the event and applies it in one transaction, and skips the apply
// when recordOrderEvent says the id was seen before.

import type { Queryable } from '@bourse/store';
import { z } from 'zod';
import { checked, msOf, optionalMsOf, optionalTimeParam, timeParam } from './values.js';

export interface OrderEventRecord {
  readonly eventId: string;
  readonly clientOrderId: string;
  /** Lower-case kebab type: `order-status`, `fill`, `submit-timeout`, `cancel-requested`… */
  readonly type: string;
  /** The event as received (a JSON object); decimals as strings. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Venue time in epoch ms; absent for events the OMS made itself. */
  readonly venueTime?: number | undefined;
  /** The caller's clock when recorded, epoch ms. */
  readonly recordedAt: number;
}

export interface StoredOrderEvent extends OrderEventRecord {
  /** Insertion order across all events, as a decimal string (bigint). */
  readonly id: string;
}

interface OrderEventRow {
  id: string;
  event_id: string;
  client_order_id: string;
  type: string;
  payload: Record<string, unknown>;
  venue_time: Date | null;
  recorded_at: Date;
}

const Payload = z.record(z.string(), z.unknown());

// `ORDER BY order_events.id`, never `ORDER BY id`: the select list renames `id::text AS id`, and a bare
// name would sort by that text ('10' before '9').

/** Records the event; returns false (and writes nothing) when its event id was recorded before. */
export async function recordOrderEvent(db: Queryable, event: OrderEventRecord): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO order_events (event_id, client_order_id, type, payload, venue_time, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      event.eventId,
      event.clientOrderId,
      event.type,
      JSON.stringify(checked('payload', Payload, event.payload)),
      optionalTimeParam('venueTime', event.venueTime),
      timeParam('recordedAt', event.recordedAt),
    ],
  );
  return result.rowCount === 1;
}

/** The events of one order in the order they were recorded. */
export async function listOrderEvents(db: Queryable, clientOrderId: string): Promise<StoredOrderEvent[]> {
  const result = await db.query<OrderEventRow>(
    `SELECT id::text AS id, event_id, client_order_id, type, payload, venue_time, recorded_at
       FROM order_events WHERE client_order_id = $1 ORDER BY order_events.id`,
    [clientOrderId],
  );
  return result.rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    clientOrderId: row.client_order_id,
    type: row.type,
    payload: row.payload,
    venueTime: optionalMsOf(row.venue_time),
    recordedAt: msOf(row.recorded_at),
  }));
}

/** An event recorded but not yet acknowledged by the EXEC stream. */
export interface UnpublishedEvent {
  /** Insertion order, as a decimal string (bigint). */
  readonly id: string;
  readonly eventId: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The oldest `limit` events not yet published, in recorded order (the partial index `order_events_unpublished`). */
export async function listUnpublishedEvents(db: Queryable, limit: number): Promise<UnpublishedEvent[]> {
  const result = await db.query<{ id: string; event_id: string; payload: Record<string, unknown> }>(
    `SELECT id::text AS id, event_id, payload FROM order_events
      WHERE published_at IS NULL ORDER BY order_events.id LIMIT $1`,
    [limit],
  );
  return result.rows.map((row) => ({ id: row.id, eventId: row.event_id, payload: row.payload }));
}

/** Marks events as acknowledged by the EXEC stream; already-marked ones keep their first time. */
export async function markEventsPublished(db: Queryable, eventIds: readonly string[], at: number): Promise<void> {
  if (eventIds.length === 0) return;
  await db.query(
    `UPDATE order_events SET published_at = $2 WHERE event_id = ANY($1::text[]) AND published_at IS NULL`,
    [eventIds, timeParam('publishedAt', at)],
  );
}
