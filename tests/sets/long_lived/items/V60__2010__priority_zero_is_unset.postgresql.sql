ALTER TABLE issues
    DROP CONSTRAINT issues_priority_check,
    ADD CONSTRAINT issues_priority_check CHECK (priority BETWEEN 0 AND 5);
