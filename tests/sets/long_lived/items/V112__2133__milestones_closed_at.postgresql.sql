ALTER TABLE milestones ADD COLUMN closed_at timestamptz;
UPDATE milestones SET closed_at = coalesce(due_on::timestamptz, now()) WHERE closed;
ALTER TABLE milestones DROP COLUMN closed;
