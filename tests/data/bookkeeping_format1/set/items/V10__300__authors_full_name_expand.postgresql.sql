-- Release 3.0 renames authors.name to authors.full_name without stopping the
-- shop: expand (this item), backfill (V11), contract (V12).
-- ratchet: prepare
-- The new column, kept in step with the old one for as long as the old
-- application writes name.
ALTER TABLE authors ADD COLUMN full_name TEXT;

CREATE FUNCTION authors_full_name_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.full_name := NEW.name;
  RETURN NEW;
END;
$$;

CREATE TRIGGER authors_full_name_sync
BEFORE INSERT OR UPDATE OF name ON authors
FOR EACH ROW EXECUTE FUNCTION authors_full_name_sync();

-- ratchet: rollback
-- Works on a partly prepared database too.
DROP TRIGGER IF EXISTS authors_full_name_sync ON authors;
DROP FUNCTION IF EXISTS authors_full_name_sync();
ALTER TABLE authors DROP COLUMN IF EXISTS full_name;
