ALTER TABLE issues
    ADD COLUMN "importBatchId" bigint REFERENCES "ImportBatch" ("batchId") ON DELETE SET NULL,
    ADD COLUMN "externalKey" text;
