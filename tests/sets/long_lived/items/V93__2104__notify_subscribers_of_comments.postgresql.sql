CREATE OR REPLACE FUNCTION notify_subscribers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (user_id, issue_id, kind)
    SELECT s.user_id, NEW.issue_id, 'commented'
    FROM issue_subscriptions s
    WHERE s.issue_id = NEW.issue_id AND s.user_id IS DISTINCT FROM NEW.user_id;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS comments_notify ON comments;
CREATE TRIGGER comments_notify
    AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION notify_subscribers();
