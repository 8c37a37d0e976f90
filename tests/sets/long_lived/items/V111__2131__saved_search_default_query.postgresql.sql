ALTER TABLE saved_searches ALTER COLUMN query SET DEFAULT '{"status": ["open"]}'::jsonb;
