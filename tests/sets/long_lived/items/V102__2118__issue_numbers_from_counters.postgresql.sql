CREATE OR REPLACE FUNCTION assign_issue_number() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    IF NEW.number IS NULL OR NEW.number = 0 THEN
        INSERT INTO project_issue_counters (project_id, next_number)
        VALUES (NEW.project_id, 2)
        ON CONFLICT (project_id)
            DO UPDATE SET next_number = project_issue_counters.next_number + 1
        RETURNING next_number - 1 INTO NEW.number;
    END IF;
    RETURN NEW;
END;
$body$;
