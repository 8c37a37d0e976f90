CREATE INDEX comments_user_idx ON comments (user_id);
