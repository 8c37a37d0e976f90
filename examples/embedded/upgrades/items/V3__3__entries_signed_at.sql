-- When an entry was signed. Release 1.0 never writes the column, so it can
-- be added while 1.0 runs; entries 1.0 wrote get a mark when 2.0 takes over.
-- ratchet: prepare
ALTER TABLE entries ADD COLUMN signed_at TEXT;

-- ratchet: finalize
UPDATE entries SET signed_at = 'before 2.0' WHERE signed_at IS NULL;

-- ratchet: rollback
ALTER TABLE entries DROP COLUMN signed_at;
