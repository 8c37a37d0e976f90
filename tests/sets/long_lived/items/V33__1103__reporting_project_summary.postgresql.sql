CREATE MATERIALIZED VIEW reporting.project_summary AS
SELECT project_id,
       count(*) AS issue_count,
       count(*) FILTER (WHERE status <> 'closed') AS open_count
FROM reporting.issue_facts
GROUP BY project_id;

CREATE UNIQUE INDEX project_summary_project_idx ON reporting.project_summary (project_id);
