ALTER TABLE issue_subscriptions
    ADD CONSTRAINT issue_subscriptions_reason_check
    CHECK (reason IN ('manual', 'reporter', 'assignee', 'mention'));
