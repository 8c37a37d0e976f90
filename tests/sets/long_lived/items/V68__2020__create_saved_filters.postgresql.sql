CREATE TABLE saved_filters (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    query jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_shared boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_filters_user_name_key UNIQUE (user_id, name)
);
