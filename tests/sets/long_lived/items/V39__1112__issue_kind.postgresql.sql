CREATE TYPE issue_kind AS ENUM ('bug', 'feature', 'task');
ALTER TABLE issues ADD COLUMN kind issue_kind NOT NULL DEFAULT 'task';
