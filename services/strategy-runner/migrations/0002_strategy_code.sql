-- The code hash last recorded for each strategy id and version (issue 21 §2: versions that cannot
-- drift). The runner records it at start the first time it runs a version; a later start with another
-- hash under the same version is refused unless the runner is told to allow changed code (development),
-- which replaces the hash and keeps the one it replaced in `replaced_hash`. Intents carry the hash too,
-- so "which code made this trade" is answered by the intent, and this table keeps one answer per version.
CREATE TABLE strategy_code (
  strategy_id      text        NOT NULL,
  strategy_version text        NOT NULL,
  code_hash        text        NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  replaced_hash    text,
  PRIMARY KEY (strategy_id, strategy_version)
);
