-- Canonical name keys beside the names as written, for search across scripts.
-- Filled on insert; rows written before this version are filled when the store opens.
ALTER TABLE persons ADD COLUMN surname_key TEXT;
ALTER TABLE persons ADD COLUMN given_key TEXT;
ALTER TABLE persons ADD COLUMN patronymic_key TEXT;
CREATE INDEX persons_party_surname_key ON persons (party, surname_key);
CREATE INDEX persons_party_given_key ON persons (party, given_key);
