INSERT INTO organizations (name, slug) VALUES ('Default', 'default')
ON CONFLICT (slug) DO NOTHING;
UPDATE projects
SET organization_id = (SELECT id FROM organizations WHERE slug = 'default')
WHERE organization_id IS NULL;
