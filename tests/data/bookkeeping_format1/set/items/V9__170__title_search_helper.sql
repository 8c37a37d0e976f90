-- ratchet: optional
-- A lower-cased title index for case-insensitive search. Optional: a shop
-- that cannot build it still works, only slower.
CREATE INDEX books_title_lower_idx ON books (lower(title));
