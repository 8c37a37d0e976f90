CREATE TABLE notification_preferences (
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind notification_kind NOT NULL,
    email boolean NOT NULL DEFAULT true,
    PRIMARY KEY (user_id, kind)
);
INSERT INTO notification_preferences (user_id, kind, email)
SELECT u.id, k.kind, k.kind <> 'status_changed'
FROM users u CROSS JOIN unnest(enum_range(NULL::notification_kind)) AS k (kind)
ON CONFLICT DO NOTHING;
