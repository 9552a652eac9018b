-- Durable execution tactics: a limit chase outlives the process that started it. Each row is written
-- before the OMS acts on it (README "Limit chase"): the chase before its ORDERS message is acked,
-- each child before it is journaled in the outbox, the reason for a cancel before the cancel is
-- sent. A restart resumes every `active` row from what it says.

CREATE TABLE tactics (
  parent_client_order_id text        PRIMARY KEY CHECK (parent_client_order_id ~ '^[.A-Z:/a-z0-9_-]{1,36}$'),
  -- Only the limit chase persists so far; the column keeps a second kind from reading as a chase.
  kind                   text        NOT NULL CHECK (kind IN ('limit-chase')),
  -- The OrderRequest as received, constraints included (the window, the fallback's bounds).
  parent                 jsonb       NOT NULL CHECK (jsonb_typeof(parent) = 'object'),
  -- The window runs from here, also across restarts.
  started_at             timestamptz NOT NULL,
  -- The mid when the first child was priced: the fallback's slippage reference. NULL until then.
  arrival_mid            numeric              CHECK (arrival_mid > 0),
  -- The counter the next replacement or fallback id is made from. It only grows, so an id the venue
  -- has seen is never made again, whichever process makes the next one.
  next_child_seq         integer     NOT NULL CHECK (next_child_seq >= 1),
  status                 text        NOT NULL CHECK (status IN ('active', 'done')),
  outcome                text                 CHECK (outcome IN ('filled', 'stopped')),
  reason                 text,
  finished_at            timestamptz,
  updated_at             timestamptz NOT NULL,
  -- The key and the stored request can never disagree about which parent this is.
  CHECK (parent ->> 'clientOrderId' = parent_client_order_id),
  -- An outcome, its reason and its time exactly when done.
  CHECK ((status = 'done') = (outcome IS NOT NULL)),
  CHECK ((status = 'done') = (reason IS NOT NULL)),
  CHECK ((status = 'done') = (finished_at IS NOT NULL))
);
-- Start-up reads only active chases; the partial index keeps that read small however many finished.
CREATE INDEX tactics_active ON tactics (started_at, parent_client_order_id) WHERE status = 'active';

-- Every child order a chase placed (or was about to place), recorded before it reached the outbox.
CREATE TABLE tactic_children (
  -- Unique across all chases: the database itself refuses a child id made twice.
  client_order_id        text        PRIMARY KEY CHECK (client_order_id ~ '^[.A-Z:/a-z0-9_-]{1,36}$'),
  parent_client_order_id text        NOT NULL REFERENCES tactics (parent_client_order_id),
  role                   text        NOT NULL CHECK (role IN ('first', 'replacement', 'fallback')),
  -- The counter the id was made from; the first child keeps the parent's id and has none.
  seq                    integer              CHECK (seq >= 1),
  placed_at              timestamptz NOT NULL,
  -- Set before the chase sends a cancel, so a resumed chase knows what was meant to follow it.
  cancel_reason          text                 CHECK (cancel_reason IN ('replace', 'window-end', 'abort')),
  UNIQUE (parent_client_order_id, seq),
  CHECK ((role = 'first') = (seq IS NULL)),
  CHECK (role <> 'first' OR client_order_id = parent_client_order_id)
);
CREATE INDEX tactic_children_by_parent ON tactic_children (parent_client_order_id);
