ALTER TABLE comments ADD COLUMN edited_at timestamptz;
