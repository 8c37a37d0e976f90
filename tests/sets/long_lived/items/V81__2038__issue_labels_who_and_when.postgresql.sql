ALTER TABLE issue_labels
    ADD COLUMN added_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN added_by integer REFERENCES users (id) ON DELETE SET NULL;
