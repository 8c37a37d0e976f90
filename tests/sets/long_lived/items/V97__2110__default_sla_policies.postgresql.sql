INSERT INTO sla_policies (project_id, priority, response_minutes, resolve_minutes)
SELECT p.id, d.priority, d.response_minutes, d.resolve_minutes
FROM projects p
CROSS JOIN (VALUES (1, 60, 480), (2, 240, 1440), (3, 480, 4320),
                   (4, 1440, 10080), (5, 2880, 20160))
     AS d (priority, response_minutes, resolve_minutes)
ON CONFLICT (project_id, priority) DO NOTHING;
