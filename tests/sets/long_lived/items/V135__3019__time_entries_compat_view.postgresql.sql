-- The old timesheet export still reads time_entries; keep it working for 3.0.
CREATE VIEW time_entries AS
SELECT id, issue_id, user_id, minutes, spent_on, description AS note, billable
FROM worklogs;
