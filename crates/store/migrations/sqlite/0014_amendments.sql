-- Amendments of a commitment's terms: one side proposes, the other accepts or declines, the
-- proposer may withdraw. The commitment's own terms change only when one is accepted.
CREATE TABLE amendments (
    id            INTEGER PRIMARY KEY,
    commitment_id BIGINT NOT NULL REFERENCES commitments (id),
    proposed_by   TEXT NOT NULL REFERENCES parties (code),
    proposer      TEXT NOT NULL,
    proposed_at   BIGINT NOT NULL,
    title         TEXT NOT NULL,
    terms         TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'declined', 'withdrawn')),
    answered_by   TEXT REFERENCES parties (code),
    answerer      TEXT,
    answered_at   BIGINT
);
CREATE INDEX amendments_of_commitment ON amendments (commitment_id, state);
