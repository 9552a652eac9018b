-- Every operator act (kill, resume, cancel-all, limits reload, apply-corrections) is recorded here
-- before it takes effect, then given its outcome. Rows are never updated but for the outcome.
CREATE TABLE operator_actions (
  id            bigserial PRIMARY KEY,
  requested_at  timestamptz NOT NULL,
  -- The name the operator acts under (--by, else the OS account) and the NATS user that
  -- authenticated the act (NULL when the CLI had no NATS credentials).
  operator      text NOT NULL,
  nats_user     text,
  host          text NOT NULL,
  action        text NOT NULL,
  target        text NOT NULL,
  reason        text,
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
  outcome       text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'done', 'refused', 'failed')),
  outcome_detail text,
  finished_at   timestamptz
);

CREATE INDEX operator_actions_requested_at ON operator_actions (requested_at);
