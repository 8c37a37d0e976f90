-- Copies every existing name into full_name, a thousand rows per
-- transaction, so writers never wait long on a row lock; then proves the new
-- column complete with a validated constraint, which lets V12 make it NOT
-- NULL without scanning the table under an exclusive lock.
-- ratchet: transaction none
-- ratchet: prepare
DO $$
DECLARE
  copied integer;
BEGIN
  LOOP
    UPDATE authors SET full_name = name
     WHERE id IN (SELECT id FROM authors WHERE full_name IS NULL ORDER BY id LIMIT 1000);
    GET DIAGNOSTICS copied = ROW_COUNT;
    EXIT WHEN copied = 0;
    COMMIT;
  END LOOP;
END
$$;

-- Idempotent, as an item outside a transaction must be: a run that stopped
-- halfway is re-run from the top.
ALTER TABLE authors DROP CONSTRAINT IF EXISTS authors_full_name_not_null;
ALTER TABLE authors ADD CONSTRAINT authors_full_name_not_null
  CHECK (full_name IS NOT NULL) NOT VALID;
ALTER TABLE authors VALIDATE CONSTRAINT authors_full_name_not_null;

-- ratchet: rollback
ALTER TABLE authors DROP CONSTRAINT IF EXISTS authors_full_name_not_null;
