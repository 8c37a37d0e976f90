CREATE TYPE issue_status AS ENUM ('open', 'in_progress', 'closed');

ALTER TABLE issues ADD COLUMN status issue_status NOT NULL DEFAULT 'open';
