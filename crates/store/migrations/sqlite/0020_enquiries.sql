-- Families' enquiries after the party's own people: who asked, how to reach them, their
-- kinship, what they agreed the request may be used for (JSON purposes), and each answer
-- they were given. An erasure of the record empties who asked, the contact, the note and
-- what was told (the trigger below), and keeps that an enquiry was made and answered when.
CREATE TABLE enquiries (
    id          INTEGER PRIMARY KEY,
    party       TEXT NOT NULL REFERENCES parties (code),
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    asked_by    TEXT,
    contact     TEXT,
    kinship     TEXT NOT NULL CHECK (kinship IN ('parent', 'spouse', 'child', 'sibling', 'other_relative', 'other')),
    consent     TEXT NOT NULL,
    note        TEXT,
    received_by TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    told_at     BIGINT,
    closed_at   BIGINT
);
CREATE INDEX enquiries_party_person ON enquiries (party, person_id);
CREATE TABLE enquiry_answers (
    id         INTEGER PRIMARY KEY,
    enquiry_id BIGINT NOT NULL REFERENCES enquiries (id),
    told       TEXT,
    told_by    TEXT NOT NULL,
    told_at    BIGINT NOT NULL
);
CREATE INDEX enquiry_answers_enquiry ON enquiry_answers (enquiry_id);

CREATE TRIGGER persons_erasure_empties_enquiries AFTER UPDATE OF erased_at ON persons
    WHEN NEW.erased_at IS NOT NULL
BEGIN
    UPDATE enquiries SET asked_by = NULL, contact = NULL, note = NULL WHERE person_id = NEW.id;
    UPDATE enquiry_answers SET told = NULL
        WHERE enquiry_id IN (SELECT id FROM enquiries WHERE person_id = NEW.id);
END;
