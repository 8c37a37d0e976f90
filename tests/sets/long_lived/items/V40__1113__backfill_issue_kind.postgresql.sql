UPDATE issues SET kind = 'bug'
WHERE kind = 'task' AND (title ILIKE 'bug:%' OR title ILIKE '%crash%');
