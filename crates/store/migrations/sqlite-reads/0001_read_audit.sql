-- The read audit of a SQLite store, in a file of its own beside the store (STORE-reads):
-- every read of a record writes here, and in the store's file each such write would wait
-- for the store's one write lock. The same table as the store's (0012), without the
-- reference to parties, which lives in the other file. Only appended to.
CREATE TABLE read_audit (
    id        INTEGER PRIMARY KEY,
    party     TEXT NOT NULL,
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
