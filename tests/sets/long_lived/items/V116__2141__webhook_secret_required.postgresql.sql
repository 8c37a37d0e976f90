UPDATE webhooks SET secret = md5(random()::text || id::text) WHERE secret IS NULL;
ALTER TABLE webhooks ALTER COLUMN secret SET NOT NULL;
