-- Signed statements (a medical commission's finding, …) travel like lists: the outbox
-- carries them too. SQLite changes a CHECK only by making the table again.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    holder       TEXT NOT NULL REFERENCES parties (code),
    to_party     TEXT NOT NULL REFERENCES parties (code),
    carries      TEXT NOT NULL CHECK (carries IN ('bundle', 'receipt', 'rotation', 'statement')),
    list_id      BIGINT REFERENCES lists (id),
    list_issuer  TEXT,
    list_sha256  TEXT,
    document     TEXT,
    sha256       TEXT,
    created_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_try_at  BIGINT NOT NULL,
    last_error   TEXT,
    delivered_at BIGINT,
    receipt      TEXT,
    refused      TEXT
);
INSERT INTO outbox_new SELECT id, holder, to_party, carries, list_id, list_issuer, list_sha256,
    document, sha256, created_at, attempts, next_try_at, last_error, delivered_at, receipt, refused
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (holder, delivered_at, refused, next_try_at);

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
