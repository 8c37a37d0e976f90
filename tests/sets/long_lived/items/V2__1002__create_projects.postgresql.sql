CREATE TABLE projects (
    id serial PRIMARY KEY,
    key varchar(10) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    owner_id integer REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
