ALTER TABLE issues
    ADD COLUMN priority smallint NOT NULL DEFAULT 3,
    ADD CONSTRAINT issues_priority_check CHECK (priority BETWEEN 1 AND 5);
