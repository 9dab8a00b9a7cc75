-- The mixed medical commission's examinations (GC III art. 112-113, Annex II), each with
-- the commission's decision once taken: every vote of the members present (JSON, name to
-- verdict), the majority's verdict and its Annex I grounds. A prisoner examined again later
-- has a new examination.
CREATE TABLE examinations (
    id            INTEGER PRIMARY KEY,
    party         TEXT NOT NULL REFERENCES parties (code),
    commitment_id BIGINT NOT NULL REFERENCES commitments (id),
    person_id     BIGINT NOT NULL REFERENCES persons (id),
    examined_on   TEXT NOT NULL,
    place         TEXT NOT NULL,
    present       TEXT NOT NULL,
    proposed_by   TEXT NOT NULL CHECK (proposed_by IN ('camp_doctor', 'compatriot_doctor', 'prisoners_representative', 'own_power', 'own_application')),
    recorded_by   TEXT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    verdict       TEXT CHECK (verdict IN ('repatriate', 'accommodate_neutral', 'reject', 're_examine')),
    votes         TEXT,
    grounds       TEXT,
    decided_on    TEXT,
    decided_by    TEXT,
    decided_at    BIGINT
);
CREATE INDEX examinations_party_person ON examinations (party, person_id);
CREATE INDEX examinations_commitment ON examinations (commitment_id);

-- An erasure of the record empties the grounds (medical facts) with its personal data.
CREATE TRIGGER persons_erasure_empties_examinations AFTER UPDATE OF erased_at ON persons
    WHEN NEW.erased_at IS NOT NULL
BEGIN
    UPDATE examinations SET grounds = NULL WHERE person_id = NEW.id;
END;
