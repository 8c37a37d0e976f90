CREATE INDEX audit_log_row_idx ON audit_log (table_name, row_id);
