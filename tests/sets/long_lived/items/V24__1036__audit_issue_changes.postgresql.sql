CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (table_name, row_id, action, old_row)
        VALUES (TG_TABLE_NAME, OLD.id, 'D', to_jsonb(OLD));
        RETURN OLD;
    END IF;
    INSERT INTO audit_log (table_name, row_id, action, old_row, new_row)
    VALUES (TG_TABLE_NAME, NEW.id, left(TG_OP, 1),
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
    RETURN NEW;
END;
$$;

CREATE TRIGGER issues_audit
    AFTER INSERT OR UPDATE OR DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
