-- A strategy's own state (ctx.state), one row per strategy id and instrument, written by the runner
-- that holds the instrument's lease. `generation` is the fencing token: every claim (a runner taking
-- the instrument, after a restart or a hand-over) raises it, and a write is applied only under the
-- generation its writer claimed and only with a higher `seq`, so an old holder's late write can never
-- replace the new holder's state. `state` is NULL until the first write.
CREATE TABLE strategy_state (
  strategy_id      text        NOT NULL,
  venue            text        NOT NULL,
  symbol           text        NOT NULL,
  generation       bigint      NOT NULL CHECK (generation > 0),
  holder           text        NOT NULL,
  claimed_at       timestamptz NOT NULL DEFAULT now(),
  format           integer,
  state            jsonb,
  seq              bigint      NOT NULL DEFAULT 0 CHECK (seq >= 0),
  strategy_version text,
  saved_at         timestamptz,
  PRIMARY KEY (strategy_id, venue, symbol)
);
