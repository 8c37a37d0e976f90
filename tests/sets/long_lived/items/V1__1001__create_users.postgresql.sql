-- Accounts of everyone who can log in.
CREATE TABLE users (
    id serial PRIMARY KEY,
    email varchar(255) NOT NULL,
    display_name varchar(100),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
