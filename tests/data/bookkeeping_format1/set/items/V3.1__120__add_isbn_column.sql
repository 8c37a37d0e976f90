-- ratchet: same-as V5
-- Back-port of V5 to the 1.x line: shops on 1.1 get the ISBN column early.
ALTER TABLE books ADD COLUMN isbn TEXT;
CREATE UNIQUE INDEX books_isbn_key ON books (isbn);
