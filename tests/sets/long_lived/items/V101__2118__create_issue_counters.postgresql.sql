CREATE TABLE project_issue_counters (
    project_id integer PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    next_number integer NOT NULL DEFAULT 1
);
INSERT INTO project_issue_counters (project_id, next_number)
SELECT id, next_issue_number FROM projects
ON CONFLICT (project_id) DO NOTHING;
