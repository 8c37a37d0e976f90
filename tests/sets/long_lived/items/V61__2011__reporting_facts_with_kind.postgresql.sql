-- project_summary reads issue_facts: CASCADE takes it along, and it comes back below.
DROP VIEW reporting.issue_facts CASCADE;

CREATE VIEW reporting.issue_facts AS
SELECT i.id AS issue_id, i.project_id, i.status, i.kind, i.priority, i.assignee_id,
       i.created_at, i.closed_at
FROM public.issues i;

CREATE MATERIALIZED VIEW reporting.project_summary AS
SELECT project_id,
       count(*) AS issue_count,
       count(*) FILTER (WHERE status NOT IN ('closed', 'resolved')) AS open_count,
       count(*) FILTER (WHERE kind = 'bug') AS bug_count
FROM reporting.issue_facts
GROUP BY project_id;

CREATE UNIQUE INDEX project_summary_project_idx ON reporting.project_summary (project_id);
