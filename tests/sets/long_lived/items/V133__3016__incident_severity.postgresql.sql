ALTER TABLE issues
    ADD COLUMN severity smallint,
    ADD CONSTRAINT issues_severity_incident CHECK (severity IS NULL OR (kind = 'incident' AND severity BETWEEN 1 AND 4));
