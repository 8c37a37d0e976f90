-- Colors typed in by hand ('red', '#FFF', 'ccc') before the picker existed.
DO $$
DECLARE
    fixed integer;
BEGIN
    UPDATE labels SET color = '#999999' WHERE color !~ '^#[0-9a-f]{6}$';
    GET DIAGNOSTICS fixed = ROW_COUNT;
    RAISE NOTICE 'label colors reset: %', fixed;
END
$$;
