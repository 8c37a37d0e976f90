-- NEW.* cannot be used: issues has a generated column (search_vector).
DROP TRIGGER IF EXISTS issues_set_updated_at ON issues;
CREATE TRIGGER issues_set_updated_at
    BEFORE UPDATE ON issues
    FOR EACH ROW
    WHEN ((OLD.title, OLD.body, OLD.status, OLD.priority, OLD.assignee_id, OLD.milestone_id)
          IS DISTINCT FROM
          (NEW.title, NEW.body, NEW.status, NEW.priority, NEW.assignee_id, NEW.milestone_id))
    EXECUTE FUNCTION set_updated_at();
