ALTER TABLE users
    ALTER COLUMN email TYPE text,
    ALTER COLUMN display_name TYPE text;
