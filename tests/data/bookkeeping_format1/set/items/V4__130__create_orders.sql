-- Orders, one book per line.
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  ordered_at TEXT NOT NULL
);

CREATE INDEX orders_book_id_idx ON orders (book_id);
