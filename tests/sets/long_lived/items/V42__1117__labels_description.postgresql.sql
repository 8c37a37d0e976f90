ALTER TABLE labels ADD COLUMN description text;
