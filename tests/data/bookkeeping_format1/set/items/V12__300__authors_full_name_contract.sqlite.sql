-- ratchet: requires V11
-- The pivot of release 3.0: what the application reads moves to full_name,
-- and the old column goes. SQLite cannot add NOT NULL to an existing column
-- without rebuilding the table, so full_name stays nullable here.
DROP TRIGGER authors_full_name_on_insert;
DROP TRIGGER authors_full_name_on_update;

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
