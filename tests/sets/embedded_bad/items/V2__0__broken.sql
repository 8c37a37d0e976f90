-- The second statement misspells SELECT.
INSERT INTO t (a) VALUES (1);
SELEC a FROM t;
