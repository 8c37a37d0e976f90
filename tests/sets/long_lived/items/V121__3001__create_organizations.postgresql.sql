CREATE TABLE organizations (
    id serial PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL CONSTRAINT organizations_slug_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE projects ADD COLUMN organization_id integer REFERENCES organizations (id);
