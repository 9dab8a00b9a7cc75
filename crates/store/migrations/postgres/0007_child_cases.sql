-- One case per child on a children list, followed from the list to the family; the
-- children the other side agreed to work on are marked, and measured as the commitment's
-- fulfilment.
CREATE TABLE child_cases (
    person_id     BIGINT PRIMARY KEY REFERENCES persons (id),
    party         TEXT NOT NULL REFERENCES parties (code),
    commitment_id BIGINT NOT NULL REFERENCES commitments (id),
    list_id       BIGINT REFERENCES lists (id),
    state         TEXT NOT NULL CHECK (state IN ('requested', 'located', 'verified', 'return_agreed', 'returned', 'reunited')),
    agreed        BIGINT NOT NULL CHECK (agreed IN (0, 1)),
    note          TEXT,
    updated_by    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX child_cases_commitment ON child_cases (commitment_id, party);
