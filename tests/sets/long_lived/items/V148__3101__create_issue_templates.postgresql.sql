CREATE TABLE issue_templates (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name text NOT NULL,
    kind issue_kind NOT NULL DEFAULT 'task',
    body text NOT NULL DEFAULT '',
    CONSTRAINT issue_templates_project_name_key UNIQUE (project_id, name)
);
