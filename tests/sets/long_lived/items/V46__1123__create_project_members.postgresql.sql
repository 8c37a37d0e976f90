CREATE TABLE project_members (
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role varchar(20) NOT NULL DEFAULT 'member',
    PRIMARY KEY (project_id, user_id)
);
