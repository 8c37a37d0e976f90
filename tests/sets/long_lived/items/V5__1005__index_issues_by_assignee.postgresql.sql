CREATE INDEX issues_assignee_idx ON issues (assignee_id);
