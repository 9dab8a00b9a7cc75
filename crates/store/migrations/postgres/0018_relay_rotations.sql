-- A party's key rotation travels to its peers like a list: the outbox carries it too.
ALTER TABLE outbox DROP CONSTRAINT outbox_carries_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_carries_check
    CHECK (carries IN ('bundle', 'receipt', 'rotation'));
