-- Copies every existing name into full_name. SQLite holds one write lock for
-- the whole file, so one statement is as gentle as batches would be.
-- ratchet: prepare
UPDATE authors SET full_name = name WHERE full_name IS NULL;

-- ratchet: rollback
-- V10's rollback drops the column anyway; this keeps the item's own undo
-- honest when it is read alone.
UPDATE authors SET full_name = NULL;
