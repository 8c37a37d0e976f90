ALTER TABLE attachments ADD CONSTRAINT attachments_storage_key_key UNIQUE (storage_key);
