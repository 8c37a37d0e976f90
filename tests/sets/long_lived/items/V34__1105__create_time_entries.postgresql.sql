CREATE TABLE time_entries (
    id bigserial PRIMARY KEY,
    issue_id integer NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    user_id integer NOT NULL REFERENCES users (id),
    minutes integer NOT NULL,
    spent_on date NOT NULL DEFAULT current_date,
    note varchar(500),
    CONSTRAINT time_entries_minutes_check CHECK (minutes > 0)
);
