CREATE INDEX issues_project_status_idx ON issues (project_id, status);
