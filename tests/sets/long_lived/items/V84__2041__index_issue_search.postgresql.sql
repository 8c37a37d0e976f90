-- ratchet: transaction none
CREATE TABLE IF NOT EXISTS search_synonyms (
    term text PRIMARY KEY,
    synonyms text[] NOT NULL
);
INSERT INTO search_synonyms (term, synonyms) VALUES ('bug', ARRAY['defect', 'error'])
ON CONFLICT (term) DO NOTHING;
CREATE INDEX CONCURRENTLY IF NOT EXISTS issues_search_idx ON issues USING gin (search_vector);
