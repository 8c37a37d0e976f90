ALTER TABLE comments RENAME COLUMN author_id TO user_id;
ALTER TABLE comments RENAME CONSTRAINT comments_author_id_fkey TO comments_user_id_fkey;
