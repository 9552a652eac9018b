-- The reconciler's own tables. It reads the order manager's tables (orders, fills, balances) and
-- never writes them; these two it alone writes.

-- One row per run, passing, halting or failed. `report` is the ReconciliationReport as published
-- (JSON, decimals as strings); a run that could not complete has no verdict of its own but
-- 'failed-to-run', the error's code and message, and whatever report it had reached (if any).
CREATE TABLE reconciliation_runs (
  run_id        text PRIMARY KEY,
  venue         text        NOT NULL,
  trigger       text        NOT NULL CHECK (trigger IN ('start', 'schedule', 'reconnect', 'operator')),
  verdict       text        NOT NULL CHECK (verdict IN ('ok', 'drift-halted', 'failed-to-run')),
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL CHECK (finished_at >= started_at),
  report        jsonb,
  pnl_drift     numeric,
  error_code    text,
  error_message text,
  CHECK ((verdict = 'failed-to-run') = (error_code IS NOT NULL)),
  CHECK (verdict = 'failed-to-run' OR report IS NOT NULL)
);

-- "The last run of this venue" and "the last passing run" are the questions asked most.
CREATE INDEX reconciliation_runs_venue_finished ON reconciliation_runs (venue, finished_at DESC);

-- The last venue trade a completed run examined, per instrument: the next run asks the venue for
-- trades from here. Written in the same transaction as the run that advanced it, and only after
-- that run's effects were carried out.
CREATE TABLE trade_checkpoints (
  venue           text        NOT NULL,
  instrument      text        NOT NULL,
  last_trade_id   text        NOT NULL,
  last_trade_time timestamptz NOT NULL,
  run_id          text        NOT NULL REFERENCES reconciliation_runs (run_id),
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (venue, instrument)
);
