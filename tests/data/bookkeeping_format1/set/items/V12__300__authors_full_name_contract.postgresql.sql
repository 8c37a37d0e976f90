-- ratchet: requires V11
-- The pivot of release 3.0: what the application reads moves to full_name,
-- and the old column goes. Runs inside finalize's one transaction.
ALTER TABLE authors ALTER COLUMN full_name SET NOT NULL;
ALTER TABLE authors DROP CONSTRAINT authors_full_name_not_null;
DROP TRIGGER authors_full_name_sync ON authors;
DROP FUNCTION authors_full_name_sync();

DROP VIEW author_sales;
ALTER TABLE authors DROP COLUMN name;
CREATE VIEW author_sales AS
SELECT a.id AS author_id,
       a.full_name,
       COUNT(o.id) AS orders,
       COALESCE(SUM(o.quantity * b.price_cents), 0) AS revenue_cents
  FROM authors a
  LEFT JOIN books b ON b.author_id = a.id
  LEFT JOIN orders o ON o.book_id = b.id
 GROUP BY a.id, a.full_name;
