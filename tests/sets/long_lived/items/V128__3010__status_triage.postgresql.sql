ALTER TYPE issue_status ADD VALUE 'triage' BEFORE 'open';
