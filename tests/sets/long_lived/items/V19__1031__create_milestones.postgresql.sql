CREATE TABLE milestones (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title varchar(100) NOT NULL,
    due_on date
);

ALTER TABLE issues ADD COLUMN milestone_id integer REFERENCES milestones (id) ON DELETE SET NULL;
