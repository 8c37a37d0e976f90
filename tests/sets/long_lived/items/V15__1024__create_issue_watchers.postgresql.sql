CREATE TABLE issue_watchers (
    issue_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, user_id)
);
