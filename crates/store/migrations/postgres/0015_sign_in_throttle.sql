-- Failed sign-ins, per user name (whether or not such a user exists, so that a lock says
-- nothing about who has an account) and per address: how many in the current run, the last
-- one, and the lock they led to. Kept in the store so that a lock survives a restart and
-- holds for every process serving the store.
CREATE TABLE sign_in_throttle (
    scope        TEXT NOT NULL CHECK (scope IN ('user', 'address')),
    subject      TEXT NOT NULL,
    party        TEXT,
    failures     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_throttle_locked ON sign_in_throttle (locked_until);
