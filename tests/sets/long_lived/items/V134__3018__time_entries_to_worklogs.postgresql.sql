ALTER TABLE time_entries RENAME TO worklogs;
ALTER SEQUENCE time_entries_id_seq RENAME TO worklogs_id_seq;
ALTER INDEX time_entries_pkey RENAME TO worklogs_pkey;
ALTER INDEX time_entries_issue_idx RENAME TO worklogs_issue_idx;
ALTER INDEX time_entries_user_spent_on_idx RENAME TO worklogs_user_spent_on_idx;
ALTER TABLE worklogs RENAME CONSTRAINT time_entries_minutes_positive TO worklogs_minutes_positive;
ALTER TABLE worklogs RENAME CONSTRAINT time_entries_issue_id_fkey TO worklogs_issue_id_fkey;
ALTER TABLE worklogs RENAME CONSTRAINT time_entries_user_id_fkey TO worklogs_user_id_fkey;
