-- Reordering labels swaps names inside one transaction.
ALTER TABLE labels
    DROP CONSTRAINT labels_project_name_key,
    ADD CONSTRAINT labels_project_name_key UNIQUE (project_id, name) DEFERRABLE INITIALLY DEFERRED;
