ALTER TABLE api_tokens RENAME COLUMN "lastUsedAt" TO last_used_at;
