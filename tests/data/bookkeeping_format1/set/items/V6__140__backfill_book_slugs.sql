-- URLs use a slug; every existing book gets one from its title.
ALTER TABLE books ADD COLUMN slug TEXT;

UPDATE books
   SET slug = lower(replace(replace(replace(title, ';', ''), ',', ''), ' ', '-'))
 WHERE slug IS NULL;
