-- Every new install starts with an administrator and a demo project.
INSERT INTO users (email, display_name) VALUES ('admin@example.invalid', 'Administrator')
ON CONFLICT (email) DO NOTHING;

INSERT INTO projects (key, name, owner_id)
SELECT 'DEMO', 'Demo project', id FROM users WHERE email = 'admin@example.invalid';

INSERT INTO issues (project_id, number, title, body, reporter_id)
SELECT p.id, n, t, b, p.owner_id
FROM projects p,
     (VALUES (1, 'Welcome to the tracker', 'Close this issue when you have read it.'),
             (2, 'Bug: crash when the title is empty', NULL)) AS seed (n, t, b)
WHERE p.key = 'DEMO';
