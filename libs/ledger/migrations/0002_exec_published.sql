-- EXEC outbox: every execution event the OMS records is published on the EXEC stream once it is
-- committed; `published_at` says the stream acknowledged it. An event that could not be published
-- stays NULL and is published again (same message id, so JetStream drops a copy) on a timer and at
-- start, in the order it was recorded.
ALTER TABLE order_events ADD COLUMN published_at timestamptz;

-- Events recorded before this migration were published then (or given up on): do not replay them.
UPDATE order_events SET published_at = recorded_at;

CREATE INDEX order_events_unpublished ON order_events (id) WHERE published_at IS NULL;
