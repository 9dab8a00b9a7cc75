-- A party's key rotation travels to its peers like a list: the outbox carries it too.
-- SQLite changes a CHECK only by making the table again; nothing refers to the outbox.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    holder       TEXT NOT NULL REFERENCES parties (code),
    to_party     TEXT NOT NULL REFERENCES parties (code),
    carries      TEXT NOT NULL CHECK (carries IN ('bundle', 'receipt', 'rotation')),
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
