ALTER INDEX IF EXISTS worklogs_user_spent_on_idx RENAME TO worklogs_user_day_idx;
