CREATE TABLE sla_policies (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    priority smallint NOT NULL,
    response_minutes integer NOT NULL,
    resolve_minutes integer NOT NULL,
    CONSTRAINT sla_policies_project_priority_key UNIQUE (project_id, priority)
);
ALTER TABLE issues ADD COLUMN due_at timestamptz;
