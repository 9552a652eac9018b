import { EventId } from '@bourse/contracts';

// Message ids for JetStream de-duplication (Nats-Msg-Id) of what the OMS publishes on EXEC. An id is
// derived from the fact itself, never from a clock or a counter kept only in memory, so the same
// fact published again (after a crash between the publish and the commit, or replayed from the
// venue) carries the same id and JetStream drops the copy.

/**
 * The id of the `seq`-th status change of an order. `seq` numbers the order's applied changes (it
 * is persisted with the order); status and filled quantity are part of the id so that a different
 * change under the same number (a restart that learnt more from a query) is a different message.
 */
export function orderStatusEventId(clientOrderId: string, seq: number, status: string, filledQty: string): EventId {
  return EventId.parse(`oms:${clientOrderId}:${seq}:${status}:${filledQty}`);
}

/** The id of a fill: the venue's fill id within its venue and symbol, however the fill reached us. */
export function fillEventId(venue: string, venueSymbol: string, venueFillId: string): EventId {
  return EventId.parse(`fill:${venue}:${venueSymbol}:${venueFillId}`);
}
