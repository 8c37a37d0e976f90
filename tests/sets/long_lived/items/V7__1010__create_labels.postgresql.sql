CREATE TABLE labels (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name varchar(50) NOT NULL,
    color char(7) NOT NULL DEFAULT '#cccccc',
    CONSTRAINT labels_project_name_key UNIQUE (project_id, name)
);
