CREATE MATERIALIZED VIEW reporting.time_by_user AS
SELECT user_id, date_trunc('week', spent_on)::date AS week, sum(minutes) AS minutes
FROM public.time_entries
GROUP BY user_id, date_trunc('week', spent_on)::date;

CREATE UNIQUE INDEX time_by_user_key ON reporting.time_by_user (user_id, week);
