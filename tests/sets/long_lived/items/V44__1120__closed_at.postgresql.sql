-- ratchet: transaction none
ALTER TABLE issues ADD COLUMN IF NOT EXISTS closed_at timestamptz;
UPDATE issues SET closed_at = updated_at WHERE status = 'closed' AND closed_at IS NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS issues_closed_at_idx ON issues (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS issues_open_assignee_idx ON issues (assignee_id) WHERE status <> 'closed';
DROP INDEX CONCURRENTLY IF EXISTS issues_assignee_idx;
