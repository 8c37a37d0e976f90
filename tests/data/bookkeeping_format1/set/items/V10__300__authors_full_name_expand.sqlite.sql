-- Release 3.0 renames authors.name to authors.full_name without stopping the
-- shop: expand (this item), backfill (V11), contract (V12).
-- ratchet: prepare
-- The new column, kept in step with the old one for as long as the old
-- application writes name.
ALTER TABLE authors ADD COLUMN full_name TEXT;

CREATE TRIGGER authors_full_name_on_insert
AFTER INSERT ON authors
BEGIN
  UPDATE authors SET full_name = NEW.name WHERE id = NEW.id;
END;

CREATE TRIGGER authors_full_name_on_update
AFTER UPDATE OF name ON authors
BEGIN
  UPDATE authors SET full_name = NEW.name WHERE id = NEW.id;
END;

-- ratchet: rollback
-- SQLite prepares this item in one transaction, so when it is undone the
-- column and both triggers exist.
DROP TRIGGER IF EXISTS authors_full_name_on_insert;
DROP TRIGGER IF EXISTS authors_full_name_on_update;
ALTER TABLE authors DROP COLUMN full_name;
