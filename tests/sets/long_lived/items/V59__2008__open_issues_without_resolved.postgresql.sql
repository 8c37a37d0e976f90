CREATE OR REPLACE VIEW open_issues AS
SELECT id, project_id, number, title, status, priority, assignee_id
FROM issues
WHERE status NOT IN ('closed', 'resolved');
