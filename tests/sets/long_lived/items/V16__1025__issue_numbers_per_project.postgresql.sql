ALTER TABLE projects ADD COLUMN next_issue_number integer NOT NULL DEFAULT 1;

UPDATE projects p
SET next_issue_number = coalesce((SELECT max(number) + 1 FROM issues i WHERE i.project_id = p.id), 1);

CREATE OR REPLACE FUNCTION assign_issue_number() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    IF NEW.number IS NULL OR NEW.number = 0 THEN
        UPDATE projects SET next_issue_number = next_issue_number + 1
        WHERE id = NEW.project_id
        RETURNING next_issue_number - 1 INTO NEW.number;
    END IF;
    RETURN NEW;
END;
$body$;

CREATE TRIGGER issues_assign_number
    BEFORE INSERT ON issues
    FOR EACH ROW EXECUTE FUNCTION assign_issue_number();
