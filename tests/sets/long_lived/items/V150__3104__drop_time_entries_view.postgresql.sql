-- The timesheet export reads worklogs since 3.0.2.
DROP VIEW IF EXISTS time_entries;
