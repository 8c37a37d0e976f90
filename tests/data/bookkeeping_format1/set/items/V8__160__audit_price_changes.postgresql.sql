-- Every price change is kept, for the accountants.
CREATE TABLE price_history (
  book_id INTEGER NOT NULL REFERENCES books (id),
  old_price_cents INTEGER NOT NULL,
  new_price_cents INTEGER NOT NULL,
  changed_at TEXT NOT NULL
);

CREATE FUNCTION books_price_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO price_history (book_id, old_price_cents, new_price_cents, changed_at)
  VALUES (OLD.id, OLD.price_cents, NEW.price_cents,
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  RETURN NEW;
END;
$$;

CREATE TRIGGER books_price_audit
AFTER UPDATE OF price_cents ON books
FOR EACH ROW
WHEN (OLD.price_cents <> NEW.price_cents)
EXECUTE FUNCTION books_price_audit();
