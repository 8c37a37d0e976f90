DO $$
BEGIN
    UPDATE users SET time_zone = 'UTC' WHERE time_zone = '';
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'users_time_zone_not_blank'
                     AND conrelid = 'public.users'::regclass) THEN
        ALTER TABLE users ADD CONSTRAINT users_time_zone_not_blank CHECK (time_zone <> '');
    END IF;
END
$$;
