-- What lets a start and a reconciliation run read a checkpoint plus the fills after it, instead of
-- every fill ever stored, and find the orders whose fills are not all stored.

-- Fills in the order they were stored: "after the checkpoint" is `seq > through_seq`.
ALTER TABLE fills ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX fills_seq ON fills (seq);
-- The reconciler's window: our fills of an instrument from a time on.
CREATE INDEX fills_by_instrument_time ON fills (instrument, venue_time);

-- The checkpoint of an account: its `positions` and `balances` rows are saved in the transaction of
-- the fills that moved them, and this row, moved in that same transaction, says up to which fill
-- (`seq`) they are complete. A start or a reconciliation run reads those rows plus the fills after
-- `through_seq` only. Rows saved before this migration covered every fill stored with them.
CREATE TABLE fill_checkpoints (
  venue       text        PRIMARY KEY CHECK (venue ~ '^[a-z0-9-]{1,32}$'),
  through_seq bigint      NOT NULL CHECK (through_seq >= 0),
  updated_at  timestamptz NOT NULL
);
INSERT INTO fill_checkpoints (venue, through_seq, updated_at)
  SELECT venue, max(seq), now() FROM fills GROUP BY venue;

-- How much of an order's executed quantity is stored as fills. An order whose filled quantity is
-- above it lost fills somewhere (the user-data stream dropped them): the order manager asks the
-- venue for that order's trades, and the reconciler's trade window starts no later than it.
-- Kept by a statement trigger, so every writer of fills (the OMS, a bulk load) keeps it right.
ALTER TABLE orders ADD COLUMN booked_qty numeric NOT NULL DEFAULT 0 CHECK (booked_qty >= 0);
UPDATE orders o
   SET booked_qty = b.qty
  FROM (SELECT client_order_id, sum(qty) AS qty FROM fills GROUP BY client_order_id) b
 WHERE o.client_order_id = b.client_order_id;

CREATE FUNCTION orders_book_fills() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders o
     SET booked_qty = o.booked_qty + n.qty
    FROM (SELECT client_order_id, sum(qty) AS qty FROM new_fills GROUP BY client_order_id) n
   WHERE o.client_order_id = n.client_order_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER fills_book_on_orders AFTER INSERT ON fills
  REFERENCING NEW TABLE AS new_fills FOR EACH STATEMENT EXECUTE FUNCTION orders_book_fills();

-- Orders not fully accounted for: few, and found without reading the order history.
CREATE INDEX orders_unbooked ON orders (venue, instrument, created_at) WHERE filled_qty > booked_qty;
-- "The platform's start on this account": the first order per instrument.
CREATE INDEX orders_by_instrument_created ON orders (venue, instrument, created_at);
-- The reconciler ties a missed trade to the orders changed recently.
CREATE INDEX orders_by_updated ON orders (updated_at);
