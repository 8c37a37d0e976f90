DO $$
DECLARE
    changed integer;
BEGIN
    UPDATE users SET email = lower(email) WHERE email <> lower(email);
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed > 0 THEN
        RAISE NOTICE 'lower-cased % e-mail address(es)', changed;
    END IF;
END
$$;
