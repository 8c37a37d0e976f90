ALTER TABLE projects ADD COLUMN slug text;
UPDATE projects SET slug = lower(key) WHERE slug IS NULL;
ALTER TABLE projects
    ALTER COLUMN slug SET NOT NULL,
    ADD CONSTRAINT projects_slug_key UNIQUE (slug);
