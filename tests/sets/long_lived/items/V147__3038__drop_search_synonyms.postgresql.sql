-- Synonyms moved into the search service's own configuration.
DROP TABLE IF EXISTS search_synonyms;
