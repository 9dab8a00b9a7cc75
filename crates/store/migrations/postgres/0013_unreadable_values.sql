-- Values of typed fields (dates, sex) that could not be read, kept as written beside the
-- empty typed column: a JSON object, field name to text (NULL: none). Nobody is dropped for
-- one unreadable value.
ALTER TABLE persons ADD COLUMN unreadable TEXT;

-- An erasure empties them with the rest of the record's personal data, whatever the query
-- that carries it out names.
CREATE FUNCTION persons_erasure_empties_unreadable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.erased_at IS NOT NULL THEN
        NEW.unreadable := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER persons_erasure_empties_unreadable BEFORE UPDATE OF erased_at ON persons
    FOR EACH ROW EXECUTE FUNCTION persons_erasure_empties_unreadable();
