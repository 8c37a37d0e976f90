ALTER TABLE projects
    DROP CONSTRAINT projects_key_key,
    ADD CONSTRAINT projects_organization_key_key UNIQUE (organization_id, key);
