-- Every price change is kept, for the accountants.
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
