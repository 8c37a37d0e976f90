CREATE INDEX IF NOT EXISTS milestones_project_idx ON milestones (project_id, due_on);
