-- The guestbook lists one visitor's entries by name.
CREATE INDEX entries_by_name ON entries (name);
