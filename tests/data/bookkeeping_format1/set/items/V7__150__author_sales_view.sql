-- ratchet: requires V4
-- Sales per author, for the monthly report.
CREATE VIEW author_sales AS
SELECT a.id AS author_id,
       a.name,
       COUNT(o.id) AS orders,
       COALESCE(SUM(o.quantity * b.price_cents), 0) AS revenue_cents
  FROM authors a
  LEFT JOIN books b ON b.author_id = a.id
  LEFT JOIN orders o ON o.book_id = b.id
 GROUP BY a.id, a.name;
