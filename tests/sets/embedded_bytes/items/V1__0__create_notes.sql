-- Grüße: a comment in UTF-8, with CRLF line ends.
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);

INSERT INTO notes (id, body) VALUES (1, '✓ café');
