-- A record's history, field by field: every value entered by hand or corrected, with who,
-- when, why and on what source. One change (one event) may set several fields; they share
-- `change_no`. The value a list row gave stays in the row (list_rows) and is the `before`
-- of the first correction of that field. An erasure empties the values, the reasons and the
-- references with the rest of the record's personal data (the trigger below), and keeps who
-- changed which field when.
CREATE TABLE person_changes (
    id            INTEGER PRIMARY KEY,
    party         TEXT NOT NULL REFERENCES parties (code),
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    change_no     BIGINT NOT NULL,
    field         TEXT NOT NULL,
    before_value  TEXT,
    after_value   TEXT,
    reason        TEXT,
    source        TEXT NOT NULL CHECK (source IN ('document', 'call', 'list_row', 'commission', 'observation')),
    reference     TEXT,
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL,
    record_sha256 TEXT NOT NULL
);
CREATE INDEX person_changes_person ON person_changes (party, person_id, id);

CREATE TRIGGER persons_erasure_empties_changes AFTER UPDATE OF erased_at ON persons
    WHEN NEW.erased_at IS NOT NULL
BEGIN
    UPDATE person_changes SET before_value = NULL, after_value = NULL, reason = NULL, reference = NULL
        WHERE person_id = NEW.id;
END;
