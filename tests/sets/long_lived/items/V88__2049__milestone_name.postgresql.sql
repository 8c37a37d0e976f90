ALTER TABLE milestones RENAME COLUMN title TO name;
ALTER TABLE milestones ALTER COLUMN name TYPE text;
