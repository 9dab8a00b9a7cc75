-- The language a user chose for the pages (a code such as 'uk', 'ru' or 'en'; NULL: none
-- chosen, the browser's languages decide). A preference, not a record: no event.
ALTER TABLE users ADD COLUMN language TEXT;
