CREATE OR REPLACE FUNCTION reporting.refresh_project_summary() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.project_summary;
END;
$fn$;
