-- homeward schema, version 1 (SQLite dialect).
-- The PostgreSQL folder holds the same schema with the same version numbers; only type
-- spellings and trigger syntax differ. Migrations are only ever added, never edited.

CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE parties (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('belligerent', 'mediator', 'observer')),
    public_key TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    party         TEXT NOT NULL REFERENCES parties (code),
    name          TEXT NOT NULL,
    roles         TEXT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    UNIQUE (party, name)
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE lists (
    id         INTEGER PRIMARY KEY,
    issuer     TEXT NOT NULL REFERENCES parties (code),
    kind       TEXT NOT NULL CHECK (kind IN ('request', 'holding', 'exchange', 'remains', 'children', 'register')),
    category   TEXT CHECK (category IN ('pow', 'civilian', 'child', 'remains')),
    title      TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    original   BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    supersedes BIGINT REFERENCES lists (id),
    signature  TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (issuer, sha256)
);

CREATE TABLE list_addressees (
    list_id BIGINT NOT NULL REFERENCES lists (id),
    party   TEXT NOT NULL REFERENCES parties (code),
    PRIMARY KEY (list_id, party)
);

CREATE TABLE persons (
    id                  INTEGER PRIMARY KEY,
    party               TEXT NOT NULL REFERENCES parties (code),
    category            TEXT NOT NULL CHECK (category IN ('pow', 'civilian', 'child', 'remains')),
    relation            TEXT NOT NULL CHECK (relation IN ('sought', 'held')),
    status              TEXT NOT NULL CHECK (status IN ('missing', 'in_custody', 'held', 'returned', 'deceased')),
    surname             TEXT,
    given_names         TEXT,
    patronymic          TEXT,
    name_folded         TEXT NOT NULL,
    name_script         TEXT NOT NULL,
    father_name         TEXT,
    birth_date          TEXT,
    birth_year          BIGINT,
    birth_place         TEXT,
    sex                 TEXT CHECK (sex IN ('m', 'f')),
    citizenship         TEXT,
    rank                TEXT,
    unit                TEXT,
    service_number      TEXT,
    capture_date        TEXT,
    capture_place       TEXT,
    health              TEXT NOT NULL CHECK (health IN ('serious', 'wounded_or_sick', 'fit', 'unknown')),
    deportation_date    TEXT,
    deportation_place   TEXT,
    family_contact      TEXT,
    last_known_location TEXT,
    recovery_site       TEXT,
    recovery_date       TEXT,
    tag_number          TEXT,
    identification      TEXT CHECK (identification IN ('unidentified', 'presumptive', 'dna_confirmed')),
    identified_as       BIGINT REFERENCES persons (id),
    synthetic           BIGINT NOT NULL CHECK (synthetic IN (0, 1)),
    source_list         BIGINT REFERENCES lists (id),
    source_row          BIGINT,
    record_sha256       TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX persons_party_category ON persons (party, category, id);
CREATE INDEX persons_party_name ON persons (party, name_folded);

CREATE TABLE list_rows (
    list_id   BIGINT NOT NULL REFERENCES lists (id),
    row_no    BIGINT NOT NULL,
    accepted  BIGINT NOT NULL CHECK (accepted IN (0, 1)),
    fields    TEXT NOT NULL,
    problems  TEXT NOT NULL,
    person_id BIGINT REFERENCES persons (id),
    PRIMARY KEY (list_id, row_no)
);

CREATE TABLE links (
    id           INTEGER PRIMARY KEY,
    party        TEXT NOT NULL REFERENCES parties (code),
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    other_person BIGINT REFERENCES persons (id),
    other_list   BIGINT REFERENCES lists (id),
    other_row    BIGINT,
    probability  DOUBLE PRECISION NOT NULL,
    evidence     TEXT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('candidate', 'confirmed', 'rejected')),
    decided_by   TEXT,
    decided_at   BIGINT,
    CHECK ((other_person IS NULL) <> (other_list IS NULL)),
    CHECK ((other_list IS NULL) = (other_row IS NULL))
);

CREATE TABLE rounds (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    venue      TEXT NOT NULL,
    city       TEXT NOT NULL,
    mediator   TEXT REFERENCES parties (code),
    notes      TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES parties (code),
    created_at BIGINT NOT NULL
);

CREATE TABLE delegations (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    party    TEXT NOT NULL REFERENCES parties (code),
    head     TEXT NOT NULL,
    size     BIGINT,
    PRIMARY KEY (round_id, party)
);

CREATE TABLE commitments (
    id         INTEGER PRIMARY KEY,
    round_id   BIGINT NOT NULL REFERENCES rounds (id),
    kind       TEXT NOT NULL CHECK (kind IN ('pow_exchange', 'remains_return', 'child_return', 'local_truce', 'ceasefire_proposal', 'meeting', 'medical_commission')),
    title      TEXT NOT NULL,
    side_a     TEXT NOT NULL REFERENCES parties (code),
    side_b     TEXT NOT NULL REFERENCES parties (code),
    terms      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    commitment_id BIGINT NOT NULL REFERENCES commitments (id),
    state         TEXT NOT NULL CHECK (state IN ('proposal', 'signed', 'closed')),
    created_by    TEXT NOT NULL REFERENCES parties (code),
    created_at    BIGINT NOT NULL
);

CREATE TABLE stages (
    id         INTEGER PRIMARY KEY,
    plan_id    BIGINT NOT NULL REFERENCES plans (id),
    seq        BIGINT NOT NULL,
    planned_on TEXT,
    state      TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    UNIQUE (plan_id, seq)
);

CREATE TABLE stage_persons (
    stage_id   BIGINT NOT NULL REFERENCES stages (id),
    from_party TEXT NOT NULL REFERENCES parties (code),
    to_party   TEXT NOT NULL REFERENCES parties (code),
    person_id  BIGINT NOT NULL REFERENCES persons (id),
    movement   TEXT NOT NULL CHECK (movement IN ('planned', 'handed_over', 'received', 'withdrawn')),
    reason     TEXT,
    PRIMARY KEY (stage_id, person_id)
);

-- The event log. Rows are only ever appended: the triggers below refuse UPDATE and DELETE.
CREATE TABLE events (
    seq       BIGINT PRIMARY KEY,
    at_ms     BIGINT NOT NULL,
    party     TEXT NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE,
    signature TEXT
);
CREATE INDEX events_party ON events (party, seq);

-- One row holding the head of the chain. Every append updates it first, which serialises
-- concurrent writers on both databases without dialect-specific locks.
CREATE TABLE ledger_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
