-- The W3C trace context each order was submitted in, so that what happens to the order later — its
-- execution reports, fills, cancels, chase steps, even after a restart — joins the same trace. Keyed
-- by client order id and written once, when the order is journaled; no foreign key, because the
-- outbox row is written before the order row exists. A trace id is not a secret.
CREATE TABLE order_traces (
  client_order_id text        PRIMARY KEY CHECK (client_order_id ~ '^[.A-Z:/a-z0-9_-]{1,36}$'),
  traceparent     text        NOT NULL CHECK (traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'),
  tracestate      text                 CHECK (length(tracestate) <= 512),
  recorded_at     timestamptz NOT NULL
);
