-- The data version: a counter that every transaction changing data increments on the audit chain's
-- head row, which it holds locked until it commits. A reader that sees version N therefore sees every
-- change up to N, on any server sharing the database; kept counts and judgements are valid while the
-- version is unchanged. (The newest audit-log id served before: an id is a sequence value, taken
-- rather than committed in order, and finding it meant scanning past readings and sign-ins.)
ALTER TABLE audit_chain_head ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
UPDATE audit_chain_head SET data_version = entries;
