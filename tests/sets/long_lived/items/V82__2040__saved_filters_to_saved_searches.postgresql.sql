ALTER TABLE saved_filters RENAME TO saved_searches;
ALTER SEQUENCE saved_filters_id_seq RENAME TO saved_searches_id_seq;
ALTER TABLE saved_searches
    RENAME CONSTRAINT saved_filters_user_name_key TO saved_searches_user_name_key;
ALTER TABLE saved_searches RENAME CONSTRAINT saved_filters_pkey TO saved_searches_pkey;
ALTER TABLE saved_searches RENAME CONSTRAINT saved_filters_user_id_fkey TO saved_searches_user_id_fkey;
