-- The shop opens with a few classics; later releases must keep them.
INSERT INTO authors (id, name) VALUES
  (1, 'Mary Shelley'),
  (2, 'Herman Melville'),
  (3, 'Jane Austen');

INSERT INTO books (id, author_id, title, price_cents) VALUES
  (1, 1, 'Frankenstein', 899),
  (2, 2, 'Moby-Dick; or, The Whale', 1299),
  (3, 3, 'Pride and Prejudice', 799);
