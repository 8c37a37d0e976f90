-- The guestbook: who signed, and what they wrote.
CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT ''
);
