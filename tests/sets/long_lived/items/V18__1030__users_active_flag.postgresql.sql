ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT true;

-- Accounts created by the first importer had no display name.
UPDATE users SET display_name = split_part(email, '@', 1) WHERE display_name IS NULL;
