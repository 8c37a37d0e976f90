ALTER TABLE projects ALTER COLUMN name TYPE text;
