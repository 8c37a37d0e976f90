-- Reporting lives in its own schema so the BI role can be granted it alone.
CREATE SCHEMA IF NOT EXISTS reporting;
