-- Fresh install of bookshop 3.0 on SQLite.
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  full_name TEXT
);

CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  title TEXT NOT NULL,
  price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
  isbn TEXT,
  slug TEXT
);

CREATE INDEX books_title_idx ON books (title);
CREATE UNIQUE INDEX books_isbn_key ON books (isbn);
CREATE INDEX books_title_lower_idx ON books (lower(title));

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  ordered_at TEXT NOT NULL
);

CREATE INDEX orders_book_id_idx ON orders (book_id);

CREATE VIEW author_sales AS
SELECT a.id AS author_id,
       a.full_name,
       COUNT(o.id) AS orders,
       COALESCE(SUM(o.quantity * b.price_cents), 0) AS revenue_cents
  FROM authors a
  LEFT JOIN books b ON b.author_id = a.id
  LEFT JOIN orders o ON o.book_id = b.id
 GROUP BY a.id, a.full_name;

CREATE TABLE price_history (
  book_id INTEGER NOT NULL REFERENCES books (id),
  old_price_cents INTEGER NOT NULL,
  new_price_cents INTEGER NOT NULL,
  changed_at TEXT NOT NULL
);

CREATE TRIGGER books_price_audit
AFTER UPDATE OF price_cents ON books
WHEN OLD.price_cents <> NEW.price_cents
BEGIN
  INSERT INTO price_history (book_id, old_price_cents, new_price_cents, changed_at)
  VALUES (OLD.id, OLD.price_cents, NEW.price_cents, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

INSERT INTO authors (id, full_name) VALUES
  (1, 'Mary Shelley'), (2, 'Herman Melville'), (3, 'Jane Austen');
INSERT INTO books (id, author_id, title, price_cents, slug) VALUES
  (1, 1, 'Frankenstein', 899, 'frankenstein'),
  (2, 2, 'Moby-Dick; or, The Whale', 1299, 'moby-dick-or-the-whale'),
  (3, 3, 'Pride and Prejudice', 799, 'pride-and-prejudice');

