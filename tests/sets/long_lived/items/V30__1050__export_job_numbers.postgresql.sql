-- Numbers of CSV export jobs, shown to users in the download link.
CREATE SEQUENCE export_job_seq START 100;
