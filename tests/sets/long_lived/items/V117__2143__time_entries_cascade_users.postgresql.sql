ALTER TABLE time_entries
    DROP CONSTRAINT time_entries_user_id_fkey,
    ADD CONSTRAINT time_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
