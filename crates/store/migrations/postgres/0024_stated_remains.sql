-- A batch of remains handed over between the sides' own servers is named on each (and on
-- the mediator's) by the SHA-256 of the handing side's signed statement; the receiving
-- side's count comes back as its own statement.
ALTER TABLE remains_batches ADD COLUMN handover_sha256 TEXT;
ALTER TABLE remains_batches ADD COLUMN receipt_sha256 TEXT;
CREATE UNIQUE INDEX remains_batches_handover ON remains_batches (handover_sha256);
