-- The last line has no newline.
CREATE INDEX notes_by_body ON notes (body);