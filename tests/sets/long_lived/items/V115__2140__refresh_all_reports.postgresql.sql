CREATE OR REPLACE FUNCTION reporting.refresh_all() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.project_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.time_by_user;
END;
$fn$;
DROP FUNCTION IF EXISTS reporting.refresh_project_summary();
