ALTER TYPE issue_status ADD VALUE IF NOT EXISTS 'blocked' AFTER 'in_progress';
