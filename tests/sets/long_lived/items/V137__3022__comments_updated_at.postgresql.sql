ALTER TABLE comments ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE comments SET updated_at = coalesce(edited_at, created_at);
CREATE TRIGGER comments_set_updated_at
    BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
