-- Searches look a surname and a given name up together.
CREATE INDEX persons_party_surname_given_key ON persons (party, surname_key, given_key);
