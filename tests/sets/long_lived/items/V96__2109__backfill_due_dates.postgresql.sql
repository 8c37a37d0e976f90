UPDATE issues i
SET due_at = i.created_at + make_interval(mins => p.resolve_minutes)
FROM sla_policies p
WHERE p.project_id = i.project_id AND p.priority = i.priority AND i.due_at IS NULL;
