-- Some hosted databases got this column by hand during the 1.0 outage.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'public' AND table_name = 'users'
                     AND column_name = 'time_zone') THEN
        ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
    END IF;
END
$$;
