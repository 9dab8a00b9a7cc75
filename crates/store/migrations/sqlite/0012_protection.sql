-- Protecting the people in the lists.
-- A record marked protected (NULL: not marked; a child's record is protected all the same),
-- the purposes a family agreed to (a JSON array; NULL: not a family's request), and when its
-- personal data was erased.
ALTER TABLE persons ADD COLUMN sensitivity TEXT
    CHECK (sensitivity IN ('child', 'relatives_under_pressure', 'refused_repatriation', 'other'));
ALTER TABLE persons ADD COLUMN consent TEXT;
ALTER TABLE persons ADD COLUMN erased_at BIGINT;

-- A list row whose cells were erased keeps its leaf hash, so the list's signed root and
-- every proof of its other rows still hold; a list whose original file held an erased
-- person keeps only the file's SHA-256.
ALTER TABLE list_rows ADD COLUMN erased_leaf TEXT;
ALTER TABLE lists ADD COLUMN original_erased_at BIGINT;

-- Every read of a person's record: who, when, which record, for what. Only appended to.
CREATE TABLE read_audit (
    id        INTEGER PRIMARY KEY,
    party     TEXT NOT NULL REFERENCES parties (code),
    actor     TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('view', 'search_hit', 'export', 'proof', 'refused')),
    person_id BIGINT,
    list_id   BIGINT,
    purpose   TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX read_audit_party_at ON read_audit (party, at_ms);
CREATE INDEX read_audit_party_person ON read_audit (party, person_id);
CREATE TRIGGER read_audit_no_update BEFORE UPDATE ON read_audit
BEGIN
    SELECT RAISE(ABORT, 'the read audit is append-only');
END;
CREATE TRIGGER read_audit_no_delete BEFORE DELETE ON read_audit
BEGIN
    SELECT RAISE(ABORT, 'the read audit is append-only');
END;

-- Restricted statuses: proposed by one person, confirmed by a second, released to another
-- party only by a negotiator.
CREATE TABLE restrictions (
    id           INTEGER PRIMARY KEY,
    party        TEXT NOT NULL REFERENCES parties (code),
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    kind         TEXT NOT NULL CHECK (kind IN ('deceased', 'refused_repatriation', 'harmful_information')),
    proposed_by  TEXT NOT NULL,
    proposed_at  BIGINT NOT NULL,
    confirmed_by TEXT,
    confirmed_at BIGINT,
    released_by  TEXT,
    released_at  BIGINT
);
CREATE INDEX restrictions_person ON restrictions (person_id);

-- Erasures: requested by one person with a reason, carried out when a second confirms.
CREATE TABLE erasures (
    id           INTEGER PRIMARY KEY,
    party        TEXT NOT NULL REFERENCES parties (code),
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    reason       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    confirmed_by TEXT,
    confirmed_at BIGINT
);

-- Retention periods per category and, optionally, status; '' stands for every status.
CREATE TABLE retention_rules (
    party    TEXT NOT NULL REFERENCES parties (code),
    category TEXT NOT NULL CHECK (category IN ('pow', 'civilian', 'child', 'remains')),
    status   TEXT NOT NULL,
    days     BIGINT NOT NULL CHECK (days > 0),
    PRIMARY KEY (party, category, status)
);
