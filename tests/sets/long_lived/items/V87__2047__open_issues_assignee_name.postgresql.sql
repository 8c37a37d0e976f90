DROP VIEW IF EXISTS open_issues;
CREATE VIEW open_issues AS
SELECT i.id, i.project_id, i.number, i.title, i.status, i.priority, i.assignee_id,
       u.full_name AS assignee_name
FROM issues i
LEFT JOIN users u ON u.id = i.assignee_id
WHERE i.status NOT IN ('closed', 'resolved');
