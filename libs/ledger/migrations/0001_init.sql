-- The order manager's schema: the single writer of orders, fills and positions (DESIGN principle 5).
--
-- Conventions (services/order-manager/src/store/README.md says why):
--   * prices, quantities, fees and P&L are `numeric`, never float: the decimal string the venue sent
--     is the decimal stored and the decimal read back;
--   * every time is `timestamptz`, written from the caller's clock as epoch milliseconds (the store
--     never calls now(), so a replay writes the same rows);
--   * ids and enums carry the same patterns as libs/contracts/src/primitives.ts, so a row the
--     contracts would refuse cannot be stored either.

-- Venue metadata the instrument registry rounds with. Orders and fills point here.
CREATE TABLE instruments (
  venue            text        NOT NULL CHECK (venue ~ '^[a-z0-9-]{1,32}$'),
  venue_symbol     text        NOT NULL CHECK (venue_symbol ~ '^[A-Z0-9]{1,30}$'),
  symbol           text        NOT NULL CHECK (symbol ~ '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$'),
  base_asset       text        NOT NULL CHECK (base_asset ~ '^[A-Z0-9]{1,20}$'),
  quote_asset      text        NOT NULL CHECK (quote_asset ~ '^[A-Z0-9]{1,20}$'),
  tick_size        numeric     NOT NULL CHECK (tick_size > 0),
  step_size        numeric     NOT NULL CHECK (step_size > 0),
  market_step_size numeric              CHECK (market_step_size > 0),
  min_qty          numeric     NOT NULL CHECK (min_qty >= 0),
  max_qty          numeric     NOT NULL CHECK (max_qty > 0),
  min_notional     numeric     NOT NULL CHECK (min_notional >= 0),
  -- Quote value of one unit of quantity per unit of price; 1 for spot.
  multiplier       numeric     NOT NULL CHECK (multiplier > 0),
  -- The venue's filters exactly as sent (Binance exchangeInfo `filters`), for audit and for rules we
  -- do not model yet.
  raw_filters      jsonb       NOT NULL CHECK (jsonb_typeof(raw_filters) IN ('array', 'object')),
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (venue, venue_symbol),
  UNIQUE (venue, symbol),
  CHECK (symbol = base_asset || '/' || quote_asset),
  CHECK (min_qty <= max_qty)
);

-- Which parameters a strategy version ran with. A version names one parameter set for good.
CREATE TABLE strategy_versions (
  strategy_id   text        NOT NULL CHECK (strategy_id ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  version       text        NOT NULL CHECK (version ~ '^[A-Za-z0-9_.+-]{1,64}$'),
  params        jsonb       NOT NULL CHECK (jsonb_typeof(params) = 'object'),
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (strategy_id, version)
);

-- The journal written BEFORE the venue is called (DESIGN principle 7). A crash between commit and
-- send leaves a `pending` or `submitting` row that restart recovery resolves by querying the venue
-- by client order id before any resubmission.
CREATE TABLE outbox (
  client_order_id text        PRIMARY KEY CHECK (client_order_id ~ '^[.A-Z:/a-z0-9_-]{1,36}$'),
  request         jsonb       NOT NULL CHECK (jsonb_typeof(request) = 'object'),
  state           text        NOT NULL CHECK (state IN ('pending', 'submitting', 'sent', 'unknown', 'resolved', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  -- The key and the journaled request can never disagree about which order this is.
  CHECK (request ->> 'clientOrderId' = client_order_id),
  CHECK (updated_at >= created_at),
  -- A row that reached the venue was submitted at least once.
  CHECK (state IN ('pending', 'failed') OR attempts > 0)
);
-- Restart recovery reads only unresolved rows; the partial index keeps that read small however long
-- the journal grows.
CREATE INDEX outbox_unresolved ON outbox (created_at, client_order_id)
  WHERE state IN ('pending', 'submitting', 'unknown');

CREATE TABLE orders (
  client_order_id      text        PRIMARY KEY CHECK (client_order_id ~ '^[.A-Z:/a-z0-9_-]{1,36}$'),
  venue                text        NOT NULL,
  instrument           text        NOT NULL,
  venue_order_id       text                 CHECK (venue_order_id <> ''),
  strategy_id          text        NOT NULL CHECK (strategy_id ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  strategy_version     text        NOT NULL CHECK (strategy_version ~ '^[A-Za-z0-9_.+-]{1,64}$'),
  side                 text        NOT NULL CHECK (side IN ('BUY', 'SELL')),
  style                text        NOT NULL CHECK (style IN ('market', 'limit', 'limit-maker', 'stop', 'stop-limit')),
  qty                  numeric              CHECK (qty > 0),
  quote_qty            numeric              CHECK (quote_qty > 0),
  price                numeric              CHECK (price > 0),
  stop_price           numeric              CHECK (stop_price > 0),
  time_in_force        text                 CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
  status               text        NOT NULL CHECK (status IN ('pending-new', 'new', 'partially-filled', 'filled',
                                     'pending-cancel', 'canceled', 'pending-replace', 'rejected', 'expired', 'unknown')),
  filled_qty           numeric     NOT NULL CHECK (filled_qty >= 0),
  cumulative_quote_qty numeric     NOT NULL CHECK (cumulative_quote_qty >= 0),
  avg_price            numeric              CHECK (avg_price > 0),
  reason               text,
  -- Optimistic concurrency: every update names the version it read and bumps it.
  version              integer     NOT NULL CHECK (version >= 1),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  FOREIGN KEY (venue, instrument) REFERENCES instruments (venue, symbol),
  -- Binance numbers orders per symbol, so the venue's id is unique per venue and instrument. NULL
  -- (not yet acknowledged) is allowed many times.
  UNIQUE (venue, instrument, venue_order_id),
  -- Target of the fills foreign key below: a fill must agree with its order on all of these.
  UNIQUE (client_order_id, venue, instrument, strategy_id, side),
  -- Sized in base or in quote, never both, never neither (libs/contracts order-shape rules).
  CHECK ((qty IS NULL) <> (quote_qty IS NULL)),
  CHECK ((price IS NOT NULL) = (style IN ('limit', 'limit-maker', 'stop-limit'))),
  CHECK ((stop_price IS NOT NULL) = (style IN ('stop', 'stop-limit'))),
  CHECK (time_in_force IS NULL OR style IN ('limit', 'stop-limit')),
  CHECK (qty IS NULL OR filled_qty <= qty),
  CHECK (status NOT IN ('filled', 'partially-filled') OR filled_qty > 0),
  CHECK (filled_qty > 0 OR (cumulative_quote_qty = 0 AND avg_price IS NULL)),
  CHECK (updated_at >= created_at)
);
-- What restart and risk read: the live orders of a strategy on an instrument.
CREATE INDEX orders_open ON orders (strategy_id, instrument)
  WHERE status NOT IN ('filled', 'canceled', 'rejected', 'expired');

-- Every event applied to an order, once: `event_id` is the idempotency key (DESIGN principle 6).
CREATE TABLE order_events (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        text        NOT NULL UNIQUE CHECK (event_id ~ '^[\x21-\x7e]{1,128}$'),
  client_order_id text        NOT NULL REFERENCES orders (client_order_id),
  type            text        NOT NULL CHECK (type ~ '^[a-z][a-z-]{0,31}$'),
  payload         jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  -- NULL for events the OMS made itself (a submit timeout); the venue's time otherwise.
  venue_time      timestamptz,
  recorded_at     timestamptz NOT NULL
);
CREATE INDEX order_events_by_order ON order_events (client_order_id, id);

-- Executions: the only thing that moves positions (DESIGN principle 4).
CREATE TABLE fills (
  venue           text        NOT NULL,
  instrument      text        NOT NULL,
  -- Binance trade ids are unique per symbol, so (venue, instrument, venue fill id) is the key that
  -- makes a fill seen on the user-data stream and again by the reconciler land once.
  venue_fill_id   text        NOT NULL CHECK (venue_fill_id <> ''),
  client_order_id text        NOT NULL,
  venue_order_id  text                 CHECK (venue_order_id <> ''),
  strategy_id     text        NOT NULL,
  side            text        NOT NULL,
  qty             numeric     NOT NULL CHECK (qty > 0),
  price           numeric     NOT NULL CHECK (price > 0),
  -- Negative when the venue pays a rebate.
  fee             numeric     NOT NULL,
  fee_asset       text        NOT NULL CHECK (fee_asset ~ '^[A-Z0-9]{1,20}$'),
  liquidity       text        NOT NULL CHECK (liquidity IN ('maker', 'taker')),
  venue_time      timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL,
  PRIMARY KEY (venue, instrument, venue_fill_id),
  -- The fill belongs to an order of the same venue, instrument, strategy and side.
  FOREIGN KEY (client_order_id, venue, instrument, strategy_id, side)
    REFERENCES orders (client_order_id, venue, instrument, strategy_id, side)
);
CREATE INDEX fills_by_order ON fills (client_order_id);
CREATE INDEX fills_by_strategy ON fills (strategy_id, instrument, venue_time);

-- A snapshot of each strategy's position, rebuilt-able from its fills. Saved in the same transaction
-- as the fill that moved it.
CREATE TABLE positions (
  strategy_id     text        NOT NULL CHECK (strategy_id ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  instrument      text        NOT NULL CHECK (instrument ~ '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$'),
  -- Signed: above zero long, below zero short.
  qty             numeric     NOT NULL,
  avg_entry_price numeric              CHECK (avg_entry_price > 0),
  realized_pnl    numeric     NOT NULL,
  -- Fees by asset as decimal strings: {"USDT": "0.12", "BNB": "0.0003"}.
  fees            jsonb       NOT NULL CHECK (jsonb_typeof(fees) = 'object'),
  -- Open FIFO lots [{"qty": "0.5", "price": "100.1"}], so P&L continues exactly after a restart.
  lots            jsonb       NOT NULL CHECK (jsonb_typeof(lots) = 'array'),
  fill_count      integer     NOT NULL CHECK (fill_count >= 0),
  last_fill_at    timestamptz,
  version         integer     NOT NULL CHECK (version >= 1),
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (strategy_id, instrument),
  CHECK (qty = 0 OR avg_entry_price IS NOT NULL)
);

-- Balances as the venue last reported them.
CREATE TABLE balances (
  venue      text        NOT NULL CHECK (venue ~ '^[a-z0-9-]{1,32}$'),
  asset      text        NOT NULL CHECK (asset ~ '^[A-Z0-9]{1,20}$'),
  free       numeric     NOT NULL CHECK (free >= 0),
  locked     numeric     NOT NULL CHECK (locked >= 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (venue, asset)
);
