-- The headers of a list's file in their order (a JSON array), so that an export shows the
-- columns as the clerk laid them out. Rows keep their cells by header name.
ALTER TABLE lists ADD COLUMN headers TEXT;
