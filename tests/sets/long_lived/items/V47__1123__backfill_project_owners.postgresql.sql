INSERT INTO project_members (project_id, user_id, role)
SELECT id, owner_id, 'owner' FROM projects WHERE owner_id IS NOT NULL
ON CONFLICT DO NOTHING;
