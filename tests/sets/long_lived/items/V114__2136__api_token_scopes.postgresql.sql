ALTER TABLE api_tokens
    ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read']::text[],
    ADD COLUMN expires_at timestamptz;
CREATE INDEX IF NOT EXISTS api_tokens_user_idx ON api_tokens (user_id);
