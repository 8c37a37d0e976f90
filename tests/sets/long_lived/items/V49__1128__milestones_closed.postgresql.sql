ALTER TABLE milestones ADD COLUMN closed boolean NOT NULL DEFAULT false;
