ALTER TABLE issue_subscriptions ALTER COLUMN reason TYPE text;
ALTER TABLE project_members ALTER COLUMN role TYPE text;
