-- Signed statements (a medical commission's finding, …) travel like lists: the outbox
-- carries them too.
ALTER TABLE outbox DROP CONSTRAINT outbox_carries_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_carries_check
    CHECK (carries IN ('bundle', 'receipt', 'rotation', 'statement'));

-- Every statement a party's store holds: its own, numbered in a chain, and those of other
-- parties it received, in the order their issuer numbered them. `file` is the statement as
-- last held (with the counter-signatures it came back with or was passed on with).
CREATE TABLE statements (
    holder      TEXT NOT NULL REFERENCES parties (code),
    issuer      TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    prev_sha256 TEXT,
    kind        TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    file        TEXT NOT NULL,
    received_at BIGINT,
    PRIMARY KEY (holder, issuer, seq),
    UNIQUE (holder, sha256)
);
CREATE INDEX statements_kind ON statements (holder, kind);
