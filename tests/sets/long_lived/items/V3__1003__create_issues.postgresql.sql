CREATE TABLE issues (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id),
    number integer NOT NULL,
    title varchar(255) NOT NULL,
    body text,
    reporter_id integer REFERENCES users (id),
    assignee_id integer REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT issues_project_number_key UNIQUE (project_id, number)
);
