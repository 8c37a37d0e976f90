-- Named by the importer service, which speaks camelCase.
CREATE TABLE "ImportBatch" (
    "batchId" bigserial PRIMARY KEY,
    "sourceSystem" text NOT NULL,
    "startedAt" timestamptz NOT NULL DEFAULT now(),
    "finishedAt" timestamptz,
    "rowCount" integer NOT NULL DEFAULT 0
);
