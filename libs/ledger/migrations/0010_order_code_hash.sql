-- The hash of the strategy code that decided the order (the order request's `codeHash`: sha256 of
-- the strategy module and what it imports from the user's folder), so "which code made this trade"
-- is answered from the ledger. Null for orders placed before this column, by hand, or by a strategy
-- handed in without the loader. Written at the insert and never changed.
ALTER TABLE orders ADD COLUMN code_hash text CHECK (code_hash ~ '^[0-9a-f]{64}$');
