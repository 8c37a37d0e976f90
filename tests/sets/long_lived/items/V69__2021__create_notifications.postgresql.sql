CREATE TYPE notification_kind AS ENUM ('mention', 'assigned', 'status_changed');

CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issue_id integer REFERENCES issues (id) ON DELETE CASCADE,
    kind notification_kind NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
