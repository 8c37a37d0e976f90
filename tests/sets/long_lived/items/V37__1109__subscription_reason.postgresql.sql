ALTER TABLE issue_subscriptions ADD COLUMN reason varchar(20) NOT NULL DEFAULT 'manual';

-- Reporters and assignees were subscribed implicitly until now.
INSERT INTO issue_subscriptions (issue_id, user_id, reason)
SELECT id, reporter_id, 'reporter' FROM issues WHERE reporter_id IS NOT NULL
ON CONFLICT DO NOTHING;
