-- ratchet: same-as V3.1
-- Books get an ISBN; unknown ISBNs stay NULL, which the unique index allows.
ALTER TABLE books ADD COLUMN isbn TEXT;
CREATE UNIQUE INDEX books_isbn_key ON books (isbn);
