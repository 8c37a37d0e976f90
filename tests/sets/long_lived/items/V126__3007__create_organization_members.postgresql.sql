CREATE TABLE organization_members (
    organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_admin boolean NOT NULL DEFAULT false,
    PRIMARY KEY (organization_id, user_id)
);
INSERT INTO organization_members (organization_id, user_id, is_admin)
SELECT DISTINCT p.organization_id, m.user_id, m.role = 'owner'
FROM project_members m JOIN projects p ON p.id = m.project_id
ON CONFLICT DO NOTHING;
