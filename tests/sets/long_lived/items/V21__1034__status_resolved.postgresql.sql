-- ADD VALUE: the new value is used only from the next item on.
ALTER TYPE issue_status ADD VALUE 'resolved' BEFORE 'closed';
