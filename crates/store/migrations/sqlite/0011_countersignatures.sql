-- Counter-signatures of list bundles: a mediator's own (its record that it saw a list) and
-- those a party received with a bundle of its own list or of another's. The holder is the
-- party whose store copy this is; the list is named by its issuer and SHA-256, as in the
-- signed statement.
CREATE TABLE countersignatures (
    holder     TEXT NOT NULL REFERENCES parties (code),
    issuer     TEXT NOT NULL REFERENCES parties (code),
    sha256     TEXT NOT NULL,
    party      TEXT NOT NULL REFERENCES parties (code),
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    PRIMARY KEY (holder, issuer, sha256, party, public_key)
);
