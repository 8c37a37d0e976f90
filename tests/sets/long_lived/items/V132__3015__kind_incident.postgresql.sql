ALTER TYPE issue_kind ADD VALUE IF NOT EXISTS 'incident';
