CREATE OR REPLACE FUNCTION notify_assignee() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (user_id, issue_id, kind)
    VALUES (NEW.assignee_id, NEW.id, 'assigned');
    RETURN NULL;
END;
$$;

CREATE TRIGGER issues_notify_assignee
    AFTER UPDATE OF assignee_id ON issues
    FOR EACH ROW
    WHEN (NEW.assignee_id IS DISTINCT FROM OLD.assignee_id AND NEW.assignee_id IS NOT NULL)
    EXECUTE FUNCTION notify_assignee();
