CREATE MATERIALIZED VIEW reporting.organization_summary AS
SELECT o.id AS organization_id, o.name,
       coalesce(sum(s.issue_count), 0) AS issue_count,
       coalesce(sum(s.open_count), 0) AS open_count
FROM public.organizations o
LEFT JOIN reporting.project_summary s ON s.organization_id = o.id
GROUP BY o.id, o.name;

CREATE UNIQUE INDEX organization_summary_key ON reporting.organization_summary (organization_id);

CREATE OR REPLACE FUNCTION reporting.refresh_all() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.project_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.organization_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.time_by_user;
END;
$fn$;
