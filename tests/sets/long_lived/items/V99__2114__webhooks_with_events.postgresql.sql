-- Deliveries are kept for a week only; re-create both tables with the event filter.
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;

CREATE TABLE webhooks (
    id serial PRIMARY KEY,
    project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url text NOT NULL,
    secret text,
    events text[] NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhooks_project_idx ON webhooks (project_id) WHERE active;

CREATE TABLE webhook_deliveries (
    id bigserial PRIMARY KEY,
    webhook_id integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event text NOT NULL,
    payload jsonb NOT NULL,
    response_status smallint,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, attempted_at DESC);
