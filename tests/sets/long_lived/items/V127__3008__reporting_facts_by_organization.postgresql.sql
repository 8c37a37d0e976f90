DROP VIEW IF EXISTS reporting.issue_facts CASCADE;

CREATE VIEW reporting.issue_facts AS
SELECT i.id AS issue_id, p.organization_id, i.project_id, i.status, i.kind, i.priority,
       i.assignee_id, i.created_at, i.closed_at, i.due_at
FROM public.issues i
JOIN public.projects p ON p.id = i.project_id;

CREATE MATERIALIZED VIEW reporting.project_summary AS
SELECT organization_id, project_id,
       count(*) AS issue_count,
       count(*) FILTER (WHERE status NOT IN ('closed', 'resolved')) AS open_count,
       count(*) FILTER (WHERE kind = 'bug') AS bug_count,
       count(*) FILTER (WHERE due_at < now() AND closed_at IS NULL) AS overdue_count
FROM reporting.issue_facts
GROUP BY organization_id, project_id;

CREATE UNIQUE INDEX project_summary_project_idx ON reporting.project_summary (project_id);
