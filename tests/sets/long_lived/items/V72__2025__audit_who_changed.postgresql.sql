-- The application now sets app.user_id on each connection it takes from the pool.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    actor integer := nullif(current_setting('app.user_id', true), '')::integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (table_name, row_id, action, changed_by, old_row)
        VALUES (TG_TABLE_NAME, OLD.id, 'D', actor, to_jsonb(OLD));
        RETURN OLD;
    END IF;
    INSERT INTO audit_log (table_name, row_id, action, changed_by, old_row, new_row)
    VALUES (TG_TABLE_NAME, NEW.id, left(TG_OP, 1), actor,
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
    RETURN NEW;
END;
$$;
