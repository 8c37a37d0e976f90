ALTER TABLE issues RENAME CONSTRAINT issues_priority_check TO issues_priority_range;
