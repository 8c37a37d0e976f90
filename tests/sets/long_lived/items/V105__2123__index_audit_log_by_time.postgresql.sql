-- ratchet: transaction none
UPDATE audit_log SET table_name = 'issues' WHERE table_name IS NULL;
ALTER TABLE audit_log ALTER COLUMN table_name SET NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_changed_at_idx ON audit_log (changed_at);
