CREATE TABLE attachments (
    id bigserial PRIMARY KEY,
    comment_id bigint REFERENCES comments (id) ON DELETE CASCADE,
    file_name varchar(255) NOT NULL,
    content_type varchar(100),
    size_bytes bigint,
    storage_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
