-- Title search is the shop's most common query.
CREATE INDEX books_title_idx ON books (title);
