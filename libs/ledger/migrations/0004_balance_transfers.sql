-- Deposits, withdrawals and transfers the venue reports on the user-data stream (Binance
-- `balanceUpdate`). They are not fills, but they move the account: booking them keeps our balances
-- equal to the venue's, so a deposit does not read as drift and halt trading. One row per venue
-- event, keyed by what the event says (asset, clear time, signed amount), so the same event
-- delivered twice moves the balance once.
CREATE TABLE balance_transfers (
  venue      text        NOT NULL CHECK (venue ~ '^[a-z0-9-]{1,32}$'),
  asset      text        NOT NULL CHECK (asset ~ '^[A-Z0-9]{1,20}$'),
  -- The venue's clear time: with the asset and the amount, what identifies the event.
  venue_time timestamptz NOT NULL,
  -- Signed: positive in, negative out.
  delta      numeric     NOT NULL CHECK (delta <> 0),
  booked_at  timestamptz NOT NULL,
  PRIMARY KEY (venue, asset, venue_time, delta)
);
