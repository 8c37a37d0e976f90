-- The view reads title, so it goes while the type changes.
DROP VIEW open_issues;
ALTER TABLE issues ALTER COLUMN title TYPE text;
CREATE VIEW open_issues AS
SELECT id, project_id, number, title, status, priority, assignee_id
FROM issues
WHERE status <> 'closed';
