ALTER TABLE projects ALTER COLUMN organization_id SET NOT NULL;
