CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    issue_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    author_id integer REFERENCES users (id),
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX comments_issue_idx ON comments (issue_id, created_at);
