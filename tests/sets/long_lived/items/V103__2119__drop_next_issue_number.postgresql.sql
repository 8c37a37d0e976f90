DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'public' AND table_name = 'projects'
                 AND column_name = 'next_issue_number') THEN
        ALTER TABLE projects DROP COLUMN next_issue_number;
    END IF;
END
$$;
