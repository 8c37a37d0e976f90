-- ratchet: transaction none
-- time_entries filled up fast on the hosted instance: build its indexes
-- without blocking the timers.
ALTER TABLE time_entries ADD COLUMN IF NOT EXISTS billable boolean NOT NULL DEFAULT false;
CREATE INDEX CONCURRENTLY IF NOT EXISTS time_entries_issue_idx ON time_entries (issue_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS time_entries_user_day_idx ON time_entries (user_id, spent_on);
