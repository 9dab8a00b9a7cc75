-- Public keys: each party's own signing keys (the secret never enters the store) and the
-- keys of other parties it pinned. A retired key stays, for the signatures it made.
CREATE TABLE party_keys (
    holder     TEXT NOT NULL REFERENCES parties (code),
    party      TEXT NOT NULL REFERENCES parties (code),
    public_key TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    retired_at BIGINT,
    PRIMARY KEY (holder, party, public_key)
);
-- Signed tree heads: the size and RFC 9162 root of the event log at a checkpoint, signed.
CREATE TABLE tree_heads (
    party      TEXT NOT NULL REFERENCES parties (code),
    size       BIGINT NOT NULL,
    root       TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL,
    PRIMARY KEY (party, size)
);
