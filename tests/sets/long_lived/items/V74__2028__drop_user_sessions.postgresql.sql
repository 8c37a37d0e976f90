-- Sessions moved to the cache in 2.0.
DROP TABLE IF EXISTS user_sessions;
