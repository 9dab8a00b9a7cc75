-- A decision remembers the records it was made on: a rejected pair comes back for review
-- only when one of the two records has changed since.
ALTER TABLE links ADD COLUMN person_sha256 TEXT;
ALTER TABLE links ADD COLUMN other_sha256 TEXT;
-- The status a confirmation replaced, restored when the confirmation is undone.
ALTER TABLE links ADD COLUMN status_before TEXT;
CREATE INDEX links_party_person ON links (party, person_id);
CREATE INDEX links_party_other_person ON links (party, other_person);
