-- A list's original file in parts of at most 1 MiB: storing or reading a file of 60 MB
-- then never holds more than one part of it beside the caller's own copy (a value bound
-- to a statement is copied on its way to the database). A list stored before, or received
-- in a bundle, keeps its file whole in lists.original; a list with parts has an empty one.
CREATE TABLE list_file_parts (
    list_id BIGINT NOT NULL REFERENCES lists (id),
    part    BIGINT NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (list_id, part)
);
