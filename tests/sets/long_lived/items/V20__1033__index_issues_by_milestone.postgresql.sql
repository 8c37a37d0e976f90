CREATE INDEX issues_milestone_idx ON issues (milestone_id);
