CREATE VIEW reporting.issue_facts AS
SELECT i.id AS issue_id, i.project_id, i.status, i.priority, i.assignee_id, i.created_at
FROM public.issues i;
