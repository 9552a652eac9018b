-- A chase whose first order is refused (by the venue, or by the OMS before it reached the venue)
-- ends `rejected` with the refusal's reason, apart from a chase stopped after it worked the order.
ALTER TABLE tactics DROP CONSTRAINT tactics_outcome_check;
ALTER TABLE tactics ADD CONSTRAINT tactics_outcome_check CHECK (outcome IN ('filled', 'stopped', 'rejected'));
