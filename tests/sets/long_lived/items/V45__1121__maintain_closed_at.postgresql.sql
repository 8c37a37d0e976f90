CREATE OR REPLACE FUNCTION set_closed_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'closed' AND OLD.status IS DISTINCT FROM 'closed' THEN
        NEW.closed_at := now();
    ELSIF NEW.status <> 'closed' THEN
        NEW.closed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER issues_set_closed_at
    BEFORE UPDATE OF status ON issues
    FOR EACH ROW EXECUTE FUNCTION set_closed_at();
