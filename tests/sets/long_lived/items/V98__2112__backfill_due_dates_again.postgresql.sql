-- V96 ran before V97 had created any policy, so it set nothing: run it again.
UPDATE issues i
SET due_at = i.created_at + make_interval(mins => p.resolve_minutes)
FROM sla_policies p
WHERE p.project_id = i.project_id AND p.priority = i.priority AND i.due_at IS NULL;
