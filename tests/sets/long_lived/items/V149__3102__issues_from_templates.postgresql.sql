-- ratchet: transaction none
ALTER TABLE issues ADD COLUMN IF NOT EXISTS template_id integer REFERENCES issue_templates (id) ON DELETE SET NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS issues_template_idx ON issues (template_id) WHERE template_id IS NOT NULL;
