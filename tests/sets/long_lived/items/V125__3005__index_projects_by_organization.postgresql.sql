-- ratchet: transaction none
CREATE INDEX CONCURRENTLY IF NOT EXISTS projects_organization_idx ON projects (organization_id);
INSERT INTO organizations (name, slug) VALUES ('Archive', 'archive')
ON CONFLICT (slug) DO NOTHING;
CREATE INDEX CONCURRENTLY IF NOT EXISTS projects_archived_idx ON projects (archived_at)
    WHERE archived_at IS NOT NULL;
