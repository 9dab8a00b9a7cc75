-- Parties' servers that deliver to each other: each holder's peers (the party, where its
-- server answers; its key is the one pinned in party_keys, its signature the credential it
-- presents), what it has to deliver (the outbox, written in the transaction that made the
-- delivery due, and kept with the receipt), and what it accepted (the inbox, one entry per
-- sender and document, so the same document twice is one delivery).
CREATE TABLE peers (
    holder   TEXT NOT NULL REFERENCES parties (code),
    party    TEXT NOT NULL REFERENCES parties (code),
    base_url TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (holder, party)
);
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    holder       TEXT NOT NULL REFERENCES parties (code),
    to_party     TEXT NOT NULL REFERENCES parties (code),
    carries      TEXT NOT NULL CHECK (carries IN ('bundle', 'receipt')),
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
CREATE INDEX outbox_due ON outbox (holder, delivered_at, refused, next_try_at);
CREATE TABLE inbox (
    holder      TEXT NOT NULL REFERENCES parties (code),
    from_party  TEXT NOT NULL REFERENCES parties (code),
    sha256      TEXT NOT NULL,
    delivery_id BIGINT NOT NULL,
    carries     TEXT NOT NULL,
    list_issuer TEXT,
    list_sha256 TEXT,
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    receipt     TEXT NOT NULL,
    -- A receipt another party signed and the mediator passed on, kept as it came.
    passed_on   TEXT,
    PRIMARY KEY (holder, from_party, sha256)
);
