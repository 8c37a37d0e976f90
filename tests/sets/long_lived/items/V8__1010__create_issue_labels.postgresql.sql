CREATE TABLE issue_labels (
    issue_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    label_id integer NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, label_id)
);
