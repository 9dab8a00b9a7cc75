-- Remains handed over in batches, each with its manifest (bodies and tags); the receiving
-- party records what it received. Identified remains point at a missing person's record,
-- whose family is then to be told.
CREATE TABLE remains_batches (
    id              INTEGER PRIMARY KEY,
    commitment_id   BIGINT NOT NULL REFERENCES commitments (id),
    from_party      TEXT NOT NULL REFERENCES parties (code),
    to_party        TEXT NOT NULL REFERENCES parties (code),
    handed_over_on  TEXT NOT NULL,
    bodies          BIGINT NOT NULL CHECK (bodies > 0),
    tags            TEXT NOT NULL,
    received_bodies BIGINT,
    received_by     TEXT,
    received_at     BIGINT,
    recorded_by     TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX remains_batches_commitment ON remains_batches (commitment_id);
ALTER TABLE persons ADD COLUMN family_notification TEXT CHECK (family_notification IN ('pending', 'notified'));
ALTER TABLE persons ADD COLUMN notified_at BIGINT;
ALTER TABLE persons ADD COLUMN received_in_batch BIGINT REFERENCES remains_batches (id);
