CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    table_name text,
    row_id bigint,
    action char(1) NOT NULL,
    changed_by integer,
    changed_at timestamptz NOT NULL DEFAULT now(),
    old_row jsonb,
    new_row jsonb
);
