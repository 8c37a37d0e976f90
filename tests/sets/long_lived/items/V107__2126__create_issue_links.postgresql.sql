CREATE TYPE link_kind AS ENUM ('relates', 'blocks', 'duplicates');
CREATE TABLE issue_links (
    source_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    target_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    kind link_kind NOT NULL,
    PRIMARY KEY (source_id, target_id, kind),
    CONSTRAINT issue_links_not_self CHECK (source_id <> target_id)
);
CREATE INDEX issue_links_target_idx ON issue_links (target_id);
