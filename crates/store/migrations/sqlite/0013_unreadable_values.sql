-- Values of typed fields (dates, sex) that could not be read, kept as written beside the
-- empty typed column: a JSON object, field name to text (NULL: none). Nobody is dropped for
-- one unreadable value.
ALTER TABLE persons ADD COLUMN unreadable TEXT;

-- An erasure empties them with the rest of the record's personal data, whatever the query
-- that carries it out names.
CREATE TRIGGER persons_erasure_empties_unreadable AFTER UPDATE OF erased_at ON persons
    WHEN NEW.erased_at IS NOT NULL AND NEW.unreadable IS NOT NULL
BEGIN
    UPDATE persons SET unreadable = NULL WHERE id = NEW.id;
END;
