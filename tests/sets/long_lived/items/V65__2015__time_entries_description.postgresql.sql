ALTER TABLE time_entries RENAME COLUMN note TO description;
ALTER TABLE time_entries ALTER COLUMN description TYPE text;
