-- ratchet: transaction none
INSERT INTO "ImportBatch" ("batchId", "sourceSystem", "rowCount") VALUES (0, 'legacy', 0)
ON CONFLICT DO NOTHING;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "issues_externalKey_idx"
    ON issues ("importBatchId", "externalKey") WHERE "externalKey" IS NOT NULL;
