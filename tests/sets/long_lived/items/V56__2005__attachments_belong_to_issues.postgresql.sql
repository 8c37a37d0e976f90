-- Attachments were only ever uploaded in tests before 2.0; start over with
-- attachments on issues, optionally on one of their comments.
DROP TABLE attachments;

CREATE TABLE attachments (
    id bigserial PRIMARY KEY,
    issue_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    comment_id bigint REFERENCES comments (id) ON DELETE SET NULL,
    file_name text NOT NULL,
    content_type text NOT NULL DEFAULT 'application/octet-stream',
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    storage_key text NOT NULL,
    uploaded_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX attachments_issue_idx ON attachments (issue_id);
