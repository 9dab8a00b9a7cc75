-- A list signed by its issuer: the root of its rows' Merkle tree and the key that signed
-- (the signature itself goes in lists.signature), so that one row can be proven alone.
ALTER TABLE lists ADD COLUMN row_root TEXT;
ALTER TABLE lists ADD COLUMN signature_key TEXT;
