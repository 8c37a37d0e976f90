ALTER TABLE comments ADD CONSTRAINT comments_body_not_empty CHECK (length(body) > 0);
