-- A plan shared between the sides' own servers is named on each by the SHA-256 of the
-- signed statement that proposed it; its acceptance and the mediator's co-signature are
-- the statements that made it binding. A person of a shared plan is named in every
-- statement by their number in the proposal.
ALTER TABLE plans ADD COLUMN proposal_sha256 TEXT;
ALTER TABLE plans ADD COLUMN accepted_sha256 TEXT;
ALTER TABLE plans ADD COLUMN cosigned_sha256 TEXT;
CREATE UNIQUE INDEX plans_proposal ON plans (proposal_sha256);
ALTER TABLE stage_persons ADD COLUMN ref_no BIGINT;
