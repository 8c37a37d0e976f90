-- Export numbers are now handed out in blocks of ten by each worker.
DROP SEQUENCE export_job_seq;
CREATE SEQUENCE export_job_seq AS bigint START 5000 INCREMENT 10;
