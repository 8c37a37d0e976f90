-- Fresh install of bookshop 1.0.
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  title TEXT NOT NULL,
  price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0)
);

CREATE INDEX books_title_idx ON books (title);

INSERT INTO authors (id, name) VALUES
  (1, 'Mary Shelley'), (2, 'Herman Melville'), (3, 'Jane Austen');
INSERT INTO books (id, author_id, title, price_cents) VALUES
  (1, 1, 'Frankenstein', 899),
  (2, 2, 'Moby-Dick; or, The Whale', 1299),
  (3, 3, 'Pride and Prejudice', 799);
